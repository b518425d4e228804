// Decorator metadata must exist before any config class is defined (see common.config.ts).
import 'reflect-metadata';
export * from './command-line';
export * from './common.config';
export * from './load-config';
