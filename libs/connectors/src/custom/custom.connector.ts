import path from 'node:path';
import { defineConnector, type ConnectorContext, type ConnectorRuntime } from '@activity/connector-sdk';
import { CustomWebhooks } from './custom-webhook';
import { CustomWebhookSettings } from './custom-webhook.settings';
import { MappingSandbox } from './mapping-sandbox';

/**
 * Generic webhooks that tenants configure themselves (`/v2/webhook-sources`): per source a
 * signature scheme and JSONata mapping rules that turn any JSON delivery into
 * `custom.<source>.<name>` events. Its types are the tenants', so it declares none.
 */
export const customConnector = defineConnector({
  name: 'custom',
  displayName: 'Custom webhooks',
  capabilities: { webhook: true, sync: false, requiresAuth: false },
  eventTypes: [],
  messages: path.join(__dirname, 'i18n'),
  settings: CustomWebhookSettings,
  create({ settings }: ConnectorContext<CustomWebhookSettings>): ConnectorRuntime {
    const sandbox = new MappingSandbox({ timeoutMs: settings.CUSTOM_MAPPING_TIMEOUT_MS, maxOutputBytes: settings.CUSTOM_MAPPING_MAX_OUTPUT_BYTES });
    return { webhook: new CustomWebhooks(sandbox) };
  },
});
