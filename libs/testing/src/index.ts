export * from './service-process';
export * from './test-environment';
export * from './wait-for';
export * from './local-kafka';
export * from './fake-access-server';
export * from './fake-steam-server';
export * from './fake-otlp-collector';
