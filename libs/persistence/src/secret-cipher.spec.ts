import { SecretCipher } from './secret-cipher';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

describe('SecretCipher', () => {
  it('seals with a random IV and opens again', () => {
    const cipher = new SecretCipher('a', { a: KEY_A });
    const first = cipher.seal('whsec_secret');
    expect(first).not.toContain('whsec_secret');
    expect(first).not.toEqual(cipher.seal('whsec_secret'));
    expect(cipher.open(first)).toBe('whsec_secret');
  });

  it('opens rows sealed with a retired key after rotation', () => {
    const old = new SecretCipher('a', { a: KEY_A }).seal('token');
    const rotated = new SecretCipher('b', { a: KEY_A, b: KEY_B });
    expect(rotated.open(old)).toBe('token');
    expect(rotated.seal('token').split('.')[1]).toBe('b');
  });

  it('detects tampering', () => {
    const cipher = new SecretCipher('a', { a: KEY_A });
    const parts = cipher.seal('token').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.open(parts.join('.'))).toThrow();
  });

  it('refuses unknown keys and wrong key sizes', () => {
    expect(() => new SecretCipher('a', { a: Buffer.alloc(16).toString('base64') })).toThrow(/32 bytes/);
    expect(() => new SecretCipher('x', { a: KEY_A })).toThrow(/not configured/);
    const sealed = new SecretCipher('b', { b: KEY_B }).seal('t');
    expect(() => new SecretCipher('a', { a: KEY_A }).open(sealed)).toThrow(/"b" is not configured/);
  });

  it('builds the key ring from settings, so rows sealed before a rotation still open', () => {
    const before = SecretCipher.fromSettings({ SECRETS_ENCRYPTION_KEY_ID: 'a', SECRETS_ENCRYPTION_KEY: KEY_A }).seal('whsec_x');
    const after = SecretCipher.fromSettings({ SECRETS_ENCRYPTION_KEY_ID: 'b', SECRETS_ENCRYPTION_KEY: KEY_B, SECRETS_ENCRYPTION_RETIRED_KEYS: JSON.stringify({ a: KEY_A }) });
    expect(after.open(before)).toBe('whsec_x');
    expect(after.keyId).toBe('b');
  });
});
