export * from './cloud-event';
export * from './consumer-runner';
export * from './contracts/event-contracts';
export * from './event-publisher';
export * from './kafka-client';
export * from './message-errors';
export * from './topic-admin';
export * from './topics';
