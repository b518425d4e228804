export * from './activity-event';
export * from './domain-error';
export * from './error-codes';
export * from './error-messages';
export * from './event-summary';
export * from './feed-cursor';
export * from './locale';
export * from './event-types';
