import { InternalRequestVerifier, MemoryNonceStore, parseInternalKeys, signInternalRequest } from './internal-request-signature';

const SECRET_1 = Buffer.from('first-secret-of-the-caller-1234').toString('base64');
const SECRET_2 = Buffer.from('second-secret-of-the-caller-567').toString('base64');
const keys = parseInternalKeys(JSON.stringify({ 'ach-1': { caller: 'achievements', secret: SECRET_1 }, 'ach-2': { caller: 'achievements', secret: SECRET_2 } }));
const NOW = new Date('2026-11-26T10:00:00Z');
const request = { method: 'POST', pathWithQuery: '/internal/v1/events?x=1', body: '{"a":1}' };

function verifier() {
  return new InternalRequestVerifier(keys, new MemoryNonceStore());
}

function verify(v: InternalRequestVerifier, headers: Record<string, string>, overrides: Partial<typeof request> = {}, now = NOW) {
  return v.verify({ ...request, ...overrides, headers }, now);
}

describe('internal request signatures', () => {
  it('accepts a good signature and names the caller', async () => {
    await expect(verify(verifier(), signInternalRequest({ id: 'ach-1', secret: SECRET_1 }, request, NOW))).resolves.toBe('achievements');
  });

  it('accepts every live key of a caller (rotation)', async () => {
    await expect(verify(verifier(), signInternalRequest({ id: 'ach-2', secret: SECRET_2 }, request, NOW))).resolves.toBe('achievements');
  });

  it.each([
    ['another body', { body: '{"a":2}' }],
    ['another path', { pathWithQuery: '/internal/v1/events?x=2' }],
    ['another method', { method: 'PUT' }],
  ])('rejects %s', async (_label, overrides) => {
    await expect(verify(verifier(), signInternalRequest({ id: 'ach-1', secret: SECRET_1 }, request, NOW), overrides)).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it('rejects a key signed with the wrong secret and an unknown key id', async () => {
    await expect(verify(verifier(), signInternalRequest({ id: 'ach-1', secret: SECRET_2 }, request, NOW))).rejects.toMatchObject({ code: 'signature_invalid' });
    await expect(verify(verifier(), signInternalRequest({ id: 'nobody', secret: SECRET_1 }, request, NOW))).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it('rejects a timestamp more than 300 s away', async () => {
    const headers = signInternalRequest({ id: 'ach-1', secret: SECRET_1 }, request, NOW);
    await expect(verify(verifier(), headers, {}, new Date(NOW.getTime() + 301_000))).rejects.toMatchObject({ code: 'signature_expired' });
    await expect(verify(verifier(), headers, {}, new Date(NOW.getTime() + 299_000))).resolves.toBe('achievements');
  });

  it('rejects a replay of the same signature', async () => {
    const v = verifier();
    const headers = signInternalRequest({ id: 'ach-1', secret: SECRET_1 }, request, NOW);
    await expect(verify(v, headers)).resolves.toBe('achievements');
    await expect(verify(v, headers)).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it.each([
    ['without padding', (s: string) => s.replace(/=+$/, '')],
    ['in the base64url alphabet', (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_')],
    ['with an extra "="', (s: string) => `${s}=`],
  ])('rejects a replay whose signature is re-encoded %s', async (_how, respell) => {
    const v = verifier();
    const headers = signInternalRequest({ id: 'ach-1', secret: SECRET_1 }, request, NOW);
    await expect(verify(v, headers)).resolves.toBe('achievements');
    await expect(verify(v, { ...headers, 'x-activity-signature': respell(headers['x-activity-signature']!) })).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it('asks for credentials when headers are missing', async () => {
    await expect(verify(verifier(), {})).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses weak key configuration', () => {
    expect(() => parseInternalKeys(JSON.stringify({ k: { caller: 'x', secret: 'c2hvcnQ=' } }))).toThrow(/at least 16 bytes/);
  });
});
