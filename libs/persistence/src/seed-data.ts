import type { DataSource } from 'typeorm';
import { SecretCipher } from './secret-cipher';
import { AccountLinkStore } from './stores/account-link.store';
import { WebhookSourceStore } from './stores/webhook-source.store';

/**
 * Rows a test or the demo needs before the services run (a webhook source with its secret, an account link),
 * written through the real stores, with the same encryption key the services are given.
 */
export class SeedData {
  private readonly sources: WebhookSourceStore;
  private readonly links: AccountLinkStore;

  constructor(dataSource: DataSource, encryption: { readonly keyId: string; readonly key: string }) {
    this.sources = new WebhookSourceStore(dataSource, new SecretCipher(encryption.keyId, { [encryption.keyId]: encryption.key }));
    this.links = new AccountLinkStore(dataSource);
  }

  webhookSource(source: { tenantId: string; connector: string; sourceId: string; name: string }, secret: string): Promise<void> {
    return this.sources.upsert(source, secret);
  }

  accountLink(link: { tenantId: string; userId: string; provider: string; externalId: string; displayName?: string }): Promise<string> {
    return this.links.ensureLink(link);
  }

  /** The store itself, for tests of rotation and listing. */
  webhookSourceStore(): WebhookSourceStore {
    return this.sources;
  }
}
