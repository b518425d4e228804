export * from './installed-messages';
export * from './load-message-catalogue';
export * from './message-catalogue';
export * from './message-directories';
export * from './messages.module';
