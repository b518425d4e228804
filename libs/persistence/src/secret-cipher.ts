import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals secrets at rest with AES-256-GCM. The sealed form names the key id, so keys can rotate:
 * new writes use the current key, old rows still open with the retired key while it is configured.
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class SecretCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly currentKeyId: string,
    keys: Record<string, string>,
  ) {
    const decoded = new Map<string, Buffer>();
    for (const [id, base64] of Object.entries(keys)) {
      const key = Buffer.from(base64, 'base64');
      if (key.length !== 32) throw new Error(`encryption key "${id}" must be 32 bytes`);
      decoded.set(id, key);
    }
    if (!decoded.has(currentKeyId)) throw new Error(`encryption key "${currentKeyId}" is not configured`);
    this.keys = decoded;
  }

  /** From the SECRETS_ENCRYPTION_* settings: the current key plus any retired ones (rotation). */
  static fromSettings(settings: { SECRETS_ENCRYPTION_KEY_ID: string; SECRETS_ENCRYPTION_KEY: string; SECRETS_ENCRYPTION_RETIRED_KEYS?: string }): SecretCipher {
    const retired = settings.SECRETS_ENCRYPTION_RETIRED_KEYS ? (JSON.parse(settings.SECRETS_ENCRYPTION_RETIRED_KEYS) as Record<string, string>) : {};
    return new SecretCipher(settings.SECRETS_ENCRYPTION_KEY_ID, { ...retired, [settings.SECRETS_ENCRYPTION_KEY_ID]: settings.SECRETS_ENCRYPTION_KEY });
  }

  get keyId(): string {
    return this.currentKeyId;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(this.currentKeyId), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || body === undefined) throw new Error('sealed secret has an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key(keyId), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new Error(`encryption key "${id}" is not configured`);
    return key;
  }
}
