import type { LinkAccountInput, LinkedIdentity, OAuth2Client, OAuth2Linking, TypedIdLinking } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import type { HelixClient } from './helix-client';

/** A login name, a twitch.tv/<login> URL or a numeric user id. */
export function parseTwitchAccount(input: string): { login: string } | { id: string } {
  const text = input.trim();
  const url = /^(?:https?:\/\/)?(?:www\.|m\.)?twitch\.tv\/([A-Za-z0-9_]{3,25})\/?$/i.exec(text);
  if (url) return { login: url[1]!.toLowerCase() };
  if (/^\d{1,20}$/.test(text)) return { id: text };
  if (/^[A-Za-z0-9_]{3,25}$/.test(text)) return { login: text.toLowerCase() };
  throw new DomainError('validation_failed', {}, [
    { field: 'account', rule: 'twitchAccount', message: 'give a Twitch login name, a twitch.tv/<login> URL or a numeric user id', messageKey: 'validation.twitch.account' },
  ]);
}

async function resolveTwitchAccount(helix: HelixClient, input: LinkAccountInput): Promise<LinkedIdentity> {
  const reference = parseTwitchAccount(input.account);
  const user = 'id' in reference ? await helix.usersById(reference.id) : await helix.usersByLogin(reference.login);
  if (!user) {
    const login = 'id' in reference ? reference.id : reference.login;
    throw new DomainError('validation_failed', {}, [
      { field: 'account', rule: 'twitchUser', message: `no Twitch user ${login}`, messageKey: 'validation.twitch.unknownUser', params: { login } },
    ]);
  }
  return { externalId: user.id, displayName: user.display_name };
}

/** Tenant admins link a typed login, URL or id (resolved through Helix `GET /users`); the broadcaster id is stored. */
export class TwitchTypedLinking implements TypedIdLinking {
  readonly kind = 'typed-id' as const;

  constructor(private readonly helix: HelixClient) {}

  resolve(input: LinkAccountInput): Promise<LinkedIdentity> {
    return resolveTwitchAccount(this.helix, input);
  }
}

/** Players link by OAuth2 authorization code (no scope needed to read their id); admins may still link a typed login. */
export class TwitchOAuthLinking implements OAuth2Linking {
  readonly kind = 'oauth2' as const;
  readonly authorizeParameters = { force_verify: 'true' };

  constructor(
    readonly client: OAuth2Client,
    private readonly helix: HelixClient,
  ) {}

  resolve(input: LinkAccountInput): Promise<LinkedIdentity> {
    return resolveTwitchAccount(this.helix, input);
  }

  async identify(accessToken: string): Promise<LinkedIdentity> {
    const user = await this.helix.me(accessToken);
    return { externalId: user.id, displayName: user.display_name };
  }
}
