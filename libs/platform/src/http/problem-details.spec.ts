import { DomainError } from '@activity/domain';
import { renderProblem } from './problem-details';

describe('renderProblem', () => {
  const request = (acceptLanguage?: string) => ({ url: '/v2/feed?limit=500', headers: { 'accept-language': acceptLanguage }, id: 'req-1' });

  it('renders a domain error as a localised RFC 9457 body with a stable type', () => {
    const problem = renderProblem(new DomainError('validation_failed', {}, [{ field: 'limit', rule: 'max', message: 'limit must not be greater than 100' }]), request('ru'));
    expect(problem.status).toBe(400);
    expect(problem.headers['content-language']).toBe('ru');
    expect(problem.body).toEqual({
      type: 'https://errors.activity.dev/validation_failed',
      title: 'Некорректный запрос',
      status: 400,
      detail: 'Одно или несколько полей заполнены неверно.',
      code: 'validation_failed',
      instance: '/v2/feed',
      requestId: 'req-1',
      errors: [{ field: 'limit', rule: 'max', message: 'limit must not be greater than 100' }],
    });
  });

  it('adds Retry-After when the error says when to retry', () => {
    const problem = renderProblem(new DomainError('dependency_unavailable', { dependency: 'Kafka', retryAfterSeconds: 5 }), request());
    expect(problem.status).toBe(503);
    expect(problem.headers['retry-after']).toBe('5');
    expect(problem.body.detail).toContain('Kafka');
  });

  it('hides unexpected errors behind an error id', () => {
    const problem = renderProblem(new Error('connection string postgres://secret@db'), request());
    expect(problem.status).toBe(500);
    expect(problem.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(problem.body)).not.toContain('secret');
    expect(problem.unexpected).toBeInstanceOf(Error);
  });

  it('maps Fastify body errors', () => {
    expect(renderProblem(Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), request()).status).toBe(413);
    expect(renderProblem(Object.assign(new Error('Unexpected token'), { statusCode: 400 }), request()).body.code).toBe('malformed_json');
  });

  it('maps a Nest 404 and fills the path', () => {
    const problem = renderProblem({ getStatus: () => 404 }, request());
    expect(problem.body.detail).toBe('Nothing is served at /v2/feed.');
  });
});
