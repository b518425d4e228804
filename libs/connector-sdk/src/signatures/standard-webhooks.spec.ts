import { signStandardWebhook, verifyStandardWebhook } from './standard-webhooks';

// The official test vector of the Standard Webhooks reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = Buffer.from('{"test": 2432232314}');
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT = new Date(TIMESTAMP * 1000);

describe('Standard Webhooks', () => {
  it('signs the official test vector', () => {
    expect(signStandardWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(EXPECTED);
  });

  it('verifies the official test vector', () => {
    expect(verifyStandardWebhook({ id: ID, timestamp: String(TIMESTAMP), signature: EXPECTED }, BODY, [SECRET], AT).id).toBe(ID);
  });

  it('accepts any matching entry of a space-delimited list, ignoring unknown versions', () => {
    const signature = `v1a,AAAA v1,bm9wZQ== ${EXPECTED}`;
    expect(() => verifyStandardWebhook({ id: ID, timestamp: String(TIMESTAMP), signature }, BODY, [SECRET], AT)).not.toThrow();
  });

  it('accepts a delivery signed with an older secret still live during rotation', () => {
    const signature = signStandardWebhook(SECRET, ID, TIMESTAMP, BODY);
    expect(() => verifyStandardWebhook({ id: ID, timestamp: String(TIMESTAMP), signature }, BODY, ['whsec_bmV3LXNlY3JldC1mb3Itcm90YXRpb24=', SECRET], AT)).not.toThrow();
  });

  it('rejects a modified body', () => {
    expect(() => verifyStandardWebhook({ id: ID, timestamp: String(TIMESTAMP), signature: EXPECTED }, Buffer.from('{"test": 2432232315}'), [SECRET], AT)).toThrow(
      expect.objectContaining({ code: 'signature_invalid' }),
    );
  });

  it('rejects a different id (the id is signed)', () => {
    expect(() => verifyStandardWebhook({ id: 'msg_other', timestamp: String(TIMESTAMP), signature: EXPECTED }, BODY, [SECRET], AT)).toThrow(
      expect.objectContaining({ code: 'signature_invalid' }),
    );
  });

  it.each([
    ['too old', -301],
    ['too far in the future', 301],
  ])('rejects a timestamp %s', (_label, offsetSeconds) => {
    const now = new Date((TIMESTAMP + offsetSeconds) * 1000);
    expect(() => verifyStandardWebhook({ id: ID, timestamp: String(TIMESTAMP), signature: EXPECTED }, BODY, [SECRET], now)).toThrow(
      expect.objectContaining({ code: 'signature_expired' }),
    );
  });

  it('accepts the edge of the 5-minute window', () => {
    const now = new Date((TIMESTAMP + 300) * 1000);
    expect(() => verifyStandardWebhook({ id: ID, timestamp: String(TIMESTAMP), signature: EXPECTED }, BODY, [SECRET], now)).not.toThrow();
  });

  it.each([
    [{ id: undefined, timestamp: String(TIMESTAMP), signature: EXPECTED }],
    [{ id: ID, timestamp: undefined, signature: EXPECTED }],
    [{ id: ID, timestamp: String(TIMESTAMP), signature: undefined }],
    [{ id: ID, timestamp: 'yesterday', signature: EXPECTED }],
    [{ id: 'a.b', timestamp: String(TIMESTAMP), signature: EXPECTED }],
  ])('rejects missing or malformed headers %#', (headers) => {
    expect(() => verifyStandardWebhook(headers, BODY, [SECRET], AT)).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
  });
});
