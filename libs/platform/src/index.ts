export * from './infrastructure/infrastructure.providers';
export * from './infrastructure/infrastructure.tokens';
export * from './infrastructure/managed-consumer';
