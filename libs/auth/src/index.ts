export * from './dev-signing-key';
export * from './jwt-auth.guard';
export * from './jwt-verifier';
export * from './jwt.config';
export * from './principal';
