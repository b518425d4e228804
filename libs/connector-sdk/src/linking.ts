import type { OAuth2Client } from './oauth2/oauth2-client';

/** What a player (or an admin) typed to link an account: an id, a profile URL, a name... */
export interface LinkAccountInput {
  readonly account: string;
}

export interface LinkedIdentity {
  readonly externalId: string;
  readonly displayName?: string;
}

/**
 * How a player proves an identity is theirs before it is linked (anyone can type an id).
 * - `typed-id`: only a tenant admin may link by id; `resolve` validates and resolves what was typed.
 * - `platform-code`: we hand out a code, the player shows it on the platform, and the platform's
 *   signed webhook brings it back (`WebhookScheme.linkConfirmation`).
 * - `openid`: the platform signs the identity in a redirect (Steam OpenID 2.0).
 * - `oauth2`: authorization code with PKCE and state; tokens are kept encrypted, refreshed
 *   before expiry and revoked on unlink (see OAuth2Client).
 */
export type LinkingMethod = TypedIdLinking | PlatformCodeLinking | OpenIdLinking | OAuth2Linking;

interface ResolvesTypedIds {
  /** Validates (and resolves, e.g. a vanity name) what was typed; throws DomainError `validation_failed`. */
  resolve(input: LinkAccountInput): Promise<LinkedIdentity>;
}

export interface TypedIdLinking extends ResolvesTypedIds {
  readonly kind: 'typed-id';
  /** Players may also link through an account of theirs that is already proven. */
  readonly through?: LinkThroughProvenAccount;
}

/**
 * A player links this platform through one of their own live links of another connector, whose
 * proof carries over: e.g. TruckersMP through Steam, because TruckersMP finds players by the
 * SteamID64 their account is bound to (and Steam's link was proven by signing in there).
 */
export interface LinkThroughProvenAccount {
  /** The connectors whose links may vouch. */
  readonly providers: readonly string[];
  /** This platform's identity bound to that account; throws DomainError `validation_failed` when there is none. */
  resolve(provider: string, externalId: string): Promise<LinkedIdentity>;
}

export interface PlatformCodeLinking extends ResolvesTypedIds {
  readonly kind: 'platform-code';
}

export interface OpenIdLinking extends ResolvesTypedIds {
  readonly kind: 'openid';
  /** Where to send the player, coming back to `returnTo` (which carries our state). */
  signInUrl(returnTo: string): string;
  /** The external id the provider asserted in the callback's query, confirmed with the provider; throws DomainError when it is not genuine. */
  verify(query: Readonly<Record<string, string | undefined>>, returnTo: string): Promise<string>;
}

export interface OAuth2Linking extends Partial<ResolvesTypedIds> {
  readonly kind: 'oauth2';
  readonly client: OAuth2Client;
  /** Extra authorize parameters (e.g. Discord's `prompt=consent`). */
  readonly authorizeParameters?: Readonly<Record<string, string>>;
  /** Who the tokens belong to (e.g. `GET /users/@me`). */
  identify(accessToken: string): Promise<LinkedIdentity>;
  /**
   * Accounts on other platforms the player connected there and the platform verified (Discord's
   * connections): offered as suggestions, and linkable in one call without typing their ids.
   */
  connectedAccounts?(accessToken: string): Promise<ConnectedAccount[]>;
}

/** An account on another platform, as a platform the player linked through OAuth2 shows it. */
export interface ConnectedAccount {
  /** Our connector name for the platform (`steam`, `twitch`, `youtube`), or the platform's own type when we have no connector. */
  readonly provider: string;
  readonly externalId: string;
  readonly name: string;
  /** The platform proved the player owns it; only verified accounts may be linked through it. */
  readonly verified: boolean;
}
