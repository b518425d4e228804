import { Global, Module, type DynamicModule } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { ConfigError } from '@activity/config';
import { LOGGER, REDIS } from '@activity/platform';
import { configureConnectors, createConnectorRegistry, type ConfiguredConnector } from './connector-loader';
import { ConnectorRegistry } from './connector-registry';

/** The registered connectors, injectable as ConnectorRegistry in every feature module of the app. */
@Global()
@Module({})
export class ConnectorsModule {
  static forRoot(configured: readonly ConfiguredConnector[], options: { readonly publicUrl: string }): DynamicModule {
    return {
      module: ConnectorsModule,
      providers: [
        {
          provide: ConnectorRegistry,
          useFactory: (logger: Logger, redis: Redis | null) => createConnectorRegistry(configured, { logger, redis, publicUrl: options.publicUrl }),
          inject: [LOGGER, REDIS],
        },
      ],
      exports: [ConnectorRegistry],
    };
  }
}

/** `configureConnectors` for a process entry point: a bad variable prints one line naming it and exits 1. */
export function configureConnectorsOrExit(): ConfiguredConnector[] {
  try {
    return configureConnectors();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
