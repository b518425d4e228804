export * from './circuit-breaker';
export * from './token-bucket';
export * from './shared-state';
