import { DomainError } from '@activity/domain';
import { installMessageCatalogue, loadMessageCatalogue, PLATFORM_MESSAGES } from '@activity/i18n';
import { renderProblem } from './problem-details';

beforeAll(async () => installMessageCatalogue(await loadMessageCatalogue([PLATFORM_MESSAGES])));

describe('renderProblem', () => {
  it("says each field violation in the reader's language, with the rule's constraint filled in", () => {
    const error = new DomainError('validation_failed', {}, [{ field: 'limit', rule: 'min', message: 'limit must not be less than 1', params: { constraint1: 1 } }]);
    const ru = renderProblem(error, { headers: { 'accept-language': 'ru' } });
    expect(ru.body.errors).toEqual([{ field: 'limit', rule: 'min', message: 'limit: значение не может быть меньше 1' }]);
    expect(ru.headers['content-language']).toBe('ru');
    const en = renderProblem(error, { headers: { 'accept-language': 'en' } });
    expect(en.body.errors).toEqual([{ field: 'limit', rule: 'min', message: 'limit must not be less than 1' }]);
  });

  it("keeps the violation's own English text when the catalogue has no message for its rule", () => {
    const error = new DomainError('validation_failed', {}, [{ field: 'x', rule: 'somethingNew', message: 'x is odd' }]);
    expect(renderProblem(error, { headers: { 'accept-language': 'ru' } }).body.errors).toEqual([{ field: 'x', rule: 'somethingNew', message: 'x is odd' }]);
  });

  it('answers 503 with Retry-After, not 500, when a backing service refuses connections', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const problem = renderProblem(refused, { url: '/v1/webhooks/minecraft/s', headers: { 'accept-language': 'ru' } });
    expect(problem.status).toBe(503);
    expect(problem.headers['retry-after']).toBe('5');
    expect(problem.body).toMatchObject({ code: 'backend_unavailable', title: 'Сервис временно недоступен' });
    expect(problem.unexpected).toBeUndefined();
  });

  it('keeps an unknown failure a 500 with an error id to quote', () => {
    const problem = renderProblem(new TypeError('x is undefined'), { headers: {} });
    expect(problem).toMatchObject({ status: 500, body: { code: 'internal', errorId: expect.any(String) } });
  });

  it.each([
    ['FST_ERR_BAD_URL', 400, 'bad_request'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'uri_too_long'],
  ])("maps Fastify's %s to a %i problem", (code, status, problemCode) => {
    expect(renderProblem(Object.assign(new Error('x'), { code }), { headers: {} }).body).toMatchObject({ status, code: problemCode });
  });
});
