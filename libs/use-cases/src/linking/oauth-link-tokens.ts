import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { OAuth2Client, type OAuth2Linking, type OAuth2Tokens } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import { inTenantTransaction, type AccountLinkStore, type SecretCipher, type TenantTransaction } from '@activity/persistence';

interface SealedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: string;
  readonly scopes: readonly string[];
}

/**
 * The OAuth2 tokens of a link, sealed in `account_links.credentials_ciphertext`: stored when the
 * link is made, refreshed (and the new pair stored) when a caller needs an access token that
 * expires within five minutes, and revoked at the platform when the link goes. A refresh takes
 * the row's lock, so two replicas never spend the same refresh token.
 */
export class OAuthLinkTokens {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: AccountLinkStore,
    private readonly cipher: SecretCipher,
    private readonly logger: Logger,
  ) {}

  async store(tx: TenantTransaction, linkId: string, tokens: OAuth2Tokens): Promise<void> {
    const sealed: SealedTokens = {
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      expiresAt: tokens.expiresAt.toISOString(),
      scopes: tokens.scopes,
    };
    await this.links.saveCredentials(tx, linkId, this.cipher.seal(JSON.stringify(sealed)), this.cipher.keyId);
  }

  /** A live access token of the link, refreshed first when it is about to expire; `provider` names the platform in errors. */
  async accessToken(tenantId: string, linkId: string, linking: OAuth2Linking, provider: string, now = new Date()): Promise<string> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const tokens = await this.load(tx, linkId, true);
      if (!tokens) throw new DomainError('link_reauthorization_required', { provider });
      if (!OAuth2Client.needsRefresh({ expiresAt: new Date(tokens.expiresAt) }, now)) return tokens.accessToken;
      if (!tokens.refreshToken) throw new DomainError('link_reauthorization_required', { provider });
      const fresh = await linking.client.refresh(tokens.refreshToken, now).catch((error: unknown) => {
        // A refused refresh token means the grant is gone: the player must authorize again.
        throw error instanceof DomainError && error.code === 'oauth_invalid_grant' ? new DomainError('link_reauthorization_required', { provider }) : error;
      });
      // Providers may keep the refresh token (then they send none back): keep the one we had.
      await this.store(tx, linkId, { ...fresh, ...(fresh.refreshToken ? {} : { refreshToken: tokens.refreshToken }) });
      this.logger.info({ accountLinkId: linkId }, 'OAuth2 tokens refreshed');
      return fresh.accessToken;
    });
  }

  /** The sealed tokens of a link (read before it is revoked, which forgets them). */
  async sealedOf(tx: TenantTransaction, linkId: string): Promise<string | null> {
    return this.links.credentialsOf(tx, linkId);
  }

  /**
   * Revokes the grant at the platform (Discord revokes the whole authorization with either
   * token). Best effort: the link is gone on our side already; a failure is logged, not thrown.
   */
  async revokeUpstream(linking: OAuth2Linking, sealed: string | null): Promise<boolean> {
    if (!sealed) return false;
    try {
      const tokens = JSON.parse(this.cipher.open(sealed)) as SealedTokens;
      if (tokens.refreshToken) await linking.client.revoke(tokens.refreshToken, 'refresh_token');
      else await linking.client.revoke(tokens.accessToken, 'access_token');
      return true;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'the platform did not confirm the token revocation');
      return false;
    }
  }

  private async load(tx: TenantTransaction, linkId: string, lock: boolean): Promise<SealedTokens | null> {
    const sealed = await this.links.credentialsOf(tx, linkId, { lock });
    return sealed ? (JSON.parse(this.cipher.open(sealed)) as SealedTokens) : null;
  }
}
