export * from './health/dependency-indicators';
export * from './health/health-indicator';
export * from './logging/create-logger';
export * from './logging/nest-logger';
export * from './logging/request-context';
export * from './metrics/metrics';
export * from './tracing/message-context';
export * from './tracing/tracing';
