import { ERROR_STATUS, type ErrorCode } from './error-codes';
import { describeError } from './error-messages';
import { summarizeEvent } from './event-summary';

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

describe('summarizeEvent', () => {
  const event = {
    type: 'minecraft.player.advancement',
    actor: { type: 'Person', id: 'p', name: 'alice_mc' },
    object: { type: 'Object', id: 'a', name: 'Diamonds!' },
    target: { type: 'Service', id: 's', name: 'Survival' },
    payload: {},
  };

  it('writes the sentence in the reader language', () => {
    expect(summarizeEvent(event, 'en')).toBe('alice_mc made the advancement *Diamonds!* on Survival');
    expect(summarizeEvent(event, 'ru')).toBe('alice_mc получил достижение *Diamonds!* на сервере Survival');
  });

  it('falls back to actor and type for unknown types', () => {
    expect(summarizeEvent({ ...event, type: 'custom.thing' }, 'en')).toBe('alice_mc: custom.thing');
  });
});
