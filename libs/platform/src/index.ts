export * from './infrastructure/infrastructure.module';
export * from './infrastructure/infrastructure.tokens';
export * from './cache/generational-cache';
export * from './link-preview';
