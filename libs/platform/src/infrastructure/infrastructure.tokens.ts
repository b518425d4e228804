/** Injection tokens for the shared clients every service builds the same way. */
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');
/** An ioredis client, or null when REDIS_URL is not set (single-instance mode). */
export const REDIS = Symbol('REDIS');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
