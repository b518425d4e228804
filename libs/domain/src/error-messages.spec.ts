import { ERROR_STATUS, type ErrorCode } from './error-codes';
import { describeError } from './error-messages';

describe('describeError', () => {
  const codes = Object.keys(ERROR_STATUS) as ErrorCode[];

  it.each(codes)('%s has distinct English and Russian text with no unfilled placeholders once params are given', (code) => {
    const params = { provider: 'Steam', reason: 'r', type: 't', connector: 'c', sourceId: 's', deliveryId: 'd', permission: 'p', path: '/x', limitBytes: 1, retryAfterSeconds: 2, errorId: 'e', dependency: 'Kafka', toleranceSeconds: 300, maxLength: 200, timeoutSeconds: 30 };
    const en = describeError(code, 'en', params);
    const ru = describeError(code, 'ru', params);
    expect(en.title).not.toEqual(ru.title);
    expect(`${en.detail}${ru.detail}`).not.toMatch(/\{\w+\}/);
    expect(ru.title).toMatch(/[а-яА-Я]/);
  });

  it('fills parameters', () => {
    expect(describeError('unknown_event_type', 'en', { type: 'player.chat' }).detail).toContain('"player.chat"');
  });
});
