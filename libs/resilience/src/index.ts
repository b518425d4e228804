export * from './circuit-breaker';
export * from './token-bucket';
