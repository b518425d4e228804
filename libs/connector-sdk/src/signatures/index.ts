export * from './constant-time';
export * from './ed25519';
export * from './hmac-sha256-hex';
export * from './hub-signature-sha1';
export * from './standard-webhooks';
