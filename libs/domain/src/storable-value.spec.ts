import { compositeKey } from './composite-key';
import { isEventId } from './event-id';
import { eventViolations } from './storable-event';
import { isStorableText, jsonNestingDepth, storableViolations } from './storable-value';

describe('storable values', () => {
  it('refuses NUL and unpaired surrogates, keeps paired ones', () => {
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('x\ud800')).toBe(false);
    expect(isStorableText('\udc00x')).toBe(false);
    expect(isStorableText('😀 достижение')).toBe(true);
  });

  it('names the path of each violation, in keys and in deep values, without recursing', () => {
    const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown;
    expect(
      storableViolations({ data: { title: 'ok\u0000' }, ['k\ud800']: 1, deep }, 'payload')
        .map((v) => `${v.field}:${v.rule}`)
        .sort(),
    ).toEqual(['payload.data.title:storableText', `payload.deep${'.0'.repeat(31)}:maxDepth`, 'payload.k\ud800:storableText'].sort());
  });

  it('measures JSON nesting from text, ignoring brackets in strings', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3);
    expect(jsonNestingDepth('"\\"[["')).toBe(0);
    expect(jsonNestingDepth('['.repeat(5000) + ']'.repeat(5000))).toBe(5000);
  });

  it('checks a whole event against the table: id length, date range, future skew', () => {
    const now = Date.UTC(2026, 10, 26, 10);
    const event = { sourceEventId: 'msg_1', type: 'minecraft.player.joined', actor: { type: 'Person', id: 'p' }, occurredAt: new Date(now), payload: {} };
    expect(eventViolations(event, now)).toEqual([]);
    expect(eventViolations({ ...event, sourceEventId: 'x'.repeat(256) }, now).map((v) => v.field)).toEqual(['sourceEventId']);
    expect(eventViolations({ ...event, occurredAt: new Date(Number.NaN) }, now).map((v) => v.rule)).toEqual(['instant']);
    expect(eventViolations({ ...event, occurredAt: new Date(now + 3_600_000) }, now).map((v) => v.rule)).toEqual(['notInFuture']);
  });
});

describe('compositeKey', () => {
  it('never lets two different part lists share a key', () => {
    expect(compositeKey('demo', 'sec:x')).not.toBe(compositeKey('demo:sec', 'x'));
    expect(compositeKey('a%3A', 'b')).not.toBe(compositeKey('a:', 'b'));
    expect(compositeKey('t', 'u')).toBe('t:u');
  });
});

describe('isEventId', () => {
  it('accepts bigint ids only', () => {
    expect(isEventId('9223372036854775807')).toBe(true);
    expect(isEventId('9223372036854775808')).toBe(false);
    expect(isEventId('9999999999999999999')).toBe(false);
    expect(isEventId('-1')).toBe(false);
    expect(isEventId(null)).toBe(false);
  });
});
