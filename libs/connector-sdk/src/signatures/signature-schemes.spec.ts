import { generateKeyPairSync, sign } from 'node:crypto';
import { DomainError } from '@activity/domain';
import { verifyEd25519 } from './ed25519';
import { signHmacSha256Hex, verifyHmacSha256Hex } from './hmac-sha256-hex';
import { signHubSignatureSha1, verifyHubSignatureSha1 } from './hub-signature-sha1';

// Test vectors from ../shared/fixtures/PLATFORMS.md (§3 Twitch, §4 WebSub, §2 Discord, §7 GitHub).
const refused = (work: () => void) => {
  try {
    work();
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
  return 'accepted';
};

describe('HMAC-SHA256 hex (Twitch EventSub, GitHub)', () => {
  const twitch = { secret: 's3cre7', id: 'e76c6bd4-55c9-4987-8304-da1588d8988b', timestamp: '2019-11-16T10:11:12.634234626Z', body: '{"subscription":{},"event":{}}' };
  const expected = 'sha256=cadc2027c8b54f2f9b79b0bae7a3b9499f522fd21cd6e1c1f36d5a74371e543d';

  it('signs message id + timestamp + body as Twitch does', () => {
    expect(signHmacSha256Hex(twitch.secret, twitch.id, twitch.timestamp, twitch.body)).toBe(expected);
  });

  it('accepts the vector with any live secret and refuses a changed byte, a wrong prefix or no header', () => {
    const body = Buffer.from(twitch.body);
    expect(refused(() => verifyHmacSha256Hex(expected, ['old-secret', twitch.secret], twitch.id, twitch.timestamp, body))).toBe('accepted');
    expect(refused(() => verifyHmacSha256Hex(expected.toUpperCase().replace('SHA256=', 'sha256='), [twitch.secret], twitch.id, twitch.timestamp, body))).toBe('accepted');
    expect(refused(() => verifyHmacSha256Hex(expected, [twitch.secret], twitch.id, twitch.timestamp, Buffer.from(twitch.body.replace('{}', '{ }'))))).toBe('signature_invalid');
    expect(refused(() => verifyHmacSha256Hex(expected.replace('sha256=', 'sha1='), [twitch.secret], twitch.id, twitch.timestamp, body))).toBe('signature_invalid');
    expect(refused(() => verifyHmacSha256Hex(undefined, [twitch.secret], twitch.id, twitch.timestamp, body))).toBe('signature_invalid');
  });

  it('matches the GitHub documentation example (body alone)', () => {
    expect(signHmacSha256Hex("It's a Secret to Everybody", 'Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });
});

describe('X-Hub-Signature sha1 (WebSub)', () => {
  it('signs and verifies the vector, and refuses another body', () => {
    expect(signHubSignatureSha1('hubsecret', '<feed/>')).toBe('sha1=48baeb85e2153a4a692fcb75ffd634ead2fa1c55');
    expect(refused(() => verifyHubSignatureSha1('sha1=48baeb85e2153a4a692fcb75ffd634ead2fa1c55', ['hubsecret'], Buffer.from('<feed/>')))).toBe('accepted');
    expect(refused(() => verifyHubSignatureSha1('sha1=48baeb85e2153a4a692fcb75ffd634ead2fa1c55', ['hubsecret'], Buffer.from('<feed />')))).toBe('signature_invalid');
  });
});

describe('Ed25519 over timestamp + body (Discord)', () => {
  const publicKey = '79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664';
  const body = Buffer.from('{"version":1,"application_id":"1234560123453231555","type":0}');
  const signature = '7b88916344941240e12cf98c1c19d4769c1e466af944c4fad16aebf290bb8a451e94ea7f4bae2862f901fc6bbaf85092f6179179a69fca5b1040e756bee12b05';

  it('accepts the vector', () => {
    expect(refused(() => verifyEd25519(signature, '1700000000', body, [publicKey]))).toBe('accepted');
  });

  it('refuses another timestamp, another body, another key and a garbled signature', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    expect(refused(() => verifyEd25519(signature, '1700000001', body, [publicKey]))).toBe('signature_invalid');
    expect(refused(() => verifyEd25519(signature, '1700000000', Buffer.concat([body, Buffer.from(' ')]), [publicKey]))).toBe('signature_invalid');
    expect(refused(() => verifyEd25519(signature, '1700000000', body, [other]))).toBe('signature_invalid');
    expect(refused(() => verifyEd25519('zz', '1700000000', body, [publicKey]))).toBe('signature_invalid');
  });

  it('accepts a signature made with a rotated-in key', () => {
    const pair = generateKeyPairSync('ed25519');
    const hex = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    const made = sign(null, Buffer.concat([Buffer.from('1700000000'), body]), pair.privateKey).toString('hex');
    expect(refused(() => verifyEd25519(made, '1700000000', body, [publicKey, hex]))).toBe('accepted');
  });
});
