export * from './consumer-binding';
export * from './kafka-consumer-transport';
export * from './kafka-event-context';
