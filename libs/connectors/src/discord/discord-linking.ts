import type { ConnectedAccount, LinkedIdentity, OAuth2Client, OAuth2Linking } from '@activity/connector-sdk';
import type { DiscordRestClient } from './discord-rest-client';

/** Discord's connection types that name platforms we have connectors for. */
const CONNECTION_PROVIDERS: Readonly<Record<string, string>> = { steam: 'steam', twitch: 'twitch', youtube: 'youtube' };

/**
 * Players link Discord by OAuth2 (authorization code with PKCE, scopes `identify connections`);
 * the consent screen is always shown (`prompt=consent`), so a player sees what they grant.
 */
export class DiscordLinking implements OAuth2Linking {
  readonly kind = 'oauth2' as const;
  readonly authorizeParameters = { prompt: 'consent' };

  constructor(
    readonly client: OAuth2Client,
    private readonly rest: DiscordRestClient,
  ) {}

  async identify(accessToken: string): Promise<LinkedIdentity> {
    const user = await this.rest.me(accessToken);
    return { externalId: user.id, displayName: user.global_name || user.username };
  }

  async connectedAccounts(accessToken: string): Promise<ConnectedAccount[]> {
    const connections = await this.rest.connections(accessToken);
    return connections
      .filter((connection) => !connection.revoked && typeof connection.id === 'string' && typeof connection.type === 'string')
      .map((connection) => ({
        provider: CONNECTION_PROVIDERS[connection.type] ?? connection.type,
        externalId: connection.id,
        name: connection.name,
        verified: connection.verified === true,
      }));
  }
}
