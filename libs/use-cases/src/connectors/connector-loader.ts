import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { loadConfig } from '@activity/config';
import type { ConnectorContext, ConnectorDefinition } from '@activity/connector-sdk';
import { installEventCatalogue } from '@activity/domain';
import { CircuitBreaker, LocalSharedState, LocalTokenBucket, RedisSharedState, RedisTokenBucket } from '@activity/resilience';
import { BUILT_IN_CONNECTORS } from '@activity/connectors';
import { registerMessageDirectory } from '@activity/i18n';
import { loadConnectorPlugins } from './connector-plugins';
import { ConnectorRegistry } from './connector-registry';
import { RegisteredConnector } from './registered-connector';

/** A connector definition with its settings, validated (a bad variable stops the start with one line). */
export interface ConfiguredConnector {
  readonly definition: ConnectorDefinition;
  readonly settings: object;
}

/** The built-in connectors and the plugins, with their settings loaded from `env`; throws ConfigError naming a bad variable. */
export function configureConnectors(env: NodeJS.ProcessEnv = process.env): ConfiguredConnector[] {
  return [...BUILT_IN_CONNECTORS, ...loadConnectorPlugins(env)].map((definition) => {
    // Its texts join the catalogues the messages module loads when the app is built.
    if (definition.messages) registerMessageDirectory(definition.messages);
    return { definition, settings: definition.settings ? loadConfig(definition.settings, env) : {} };
  });
}

export interface ConnectorServices {
  readonly logger: Logger;
  /** Shared rate limits across replicas; null: per-process limits. */
  readonly redis: Redis | null;
  readonly publicUrl: string;
}

/**
 * Builds every configured connector's working parts, and installs the event catalogue their
 * definitions make (request validation reads it).
 */
export function createConnectorRegistry(configured: readonly ConfiguredConnector[], services: ConnectorServices): ConnectorRegistry {
  const registry = new ConnectorRegistry(
    configured.map(({ definition, settings }) => {
      const logger = services.logger.child({ connector: definition.name });
      const context: ConnectorContext<object> = {
        settings,
        logger,
        publicUrl: services.publicUrl,
        rateGate: (key, perSecond, burst) => (services.redis ? new RedisTokenBucket(services.redis, key, perSecond, burst) : new LocalTokenBucket(perSecond, burst)),
        breaker: (options) => new CircuitBreaker({ ...options, onStateChange: (state) => logger.warn({ upstream: options.dependency, state }, 'circuit changed state') }),
        sharedState: (namespace) => (services.redis ? new RedisSharedState(services.redis, `${definition.name}:${namespace}`) : new LocalSharedState()),
      };
      return new RegisteredConnector(definition, definition.create(context));
    }),
  );
  installEventCatalogue(registry.catalogue);
  return registry;
}
