export * from './data-source';
export * from './entities';
export * from './secret-cipher';
export * from './stores/account-link.store';
export * from './stores/activity-event.store';
export * from './stores/outbox.store';
export * from './stores/webhook-source.store';
export * from './tenant-transaction';
export { MIGRATIONS } from './migrations';
