import path from 'node:path';
import { ConfigError } from '@activity/config';
import type { ConnectorDefinition } from '@activity/connector-sdk';

/**
 * Connectors from outside this repository: CONNECTOR_PLUGINS is a comma-separated list of
 * modules (paths, absolute or relative to the working directory, or package names), each
 * exporting a ConnectorDefinition as `connector` or as its default export. A connector folder is
 * therefore served end to end without any file here naming it.
 */
export function loadConnectorPlugins(env: NodeJS.ProcessEnv = process.env): ConnectorDefinition[] {
  const list = env['CONNECTOR_PLUGINS']?.trim();
  if (!list) return [];
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((specifier) => {
      const resolved = specifier.startsWith('.') ? path.resolve(specifier) : specifier;
      let exported: { connector?: unknown; default?: unknown };
      try {
        exported = require(resolved) as typeof exported;
      } catch (error) {
        throw new ConfigError(`Invalid configuration: CONNECTOR_PLUGINS has a module that cannot be loaded "${specifier}" (${(error as Error).message.split('\n')[0]})`);
      }
      const definition = (exported.connector ?? exported.default) as Partial<ConnectorDefinition> | undefined;
      if (!definition || typeof definition.name !== 'string' || typeof definition.create !== 'function' || !Array.isArray(definition.eventTypes)) {
        throw new ConfigError(`Invalid configuration: CONNECTOR_PLUGINS module "${specifier}" exports no connector definition (export const connector = defineConnector({...}))`);
      }
      return definition as ConnectorDefinition;
    });
}
