import { randomBytes, randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Principal } from '@activity/auth';
import { createPkcePair, normalizeLinkCode, type ConnectedAccount, type LinkedIdentity, type OAuth2Linking, type OpenIdLinking } from '@activity/connector-sdk';
import { compositeKey, DomainError, type Locale } from '@activity/domain';
import { messages } from '@activity/i18n';
import { announce, MessageKey, Topic } from '@activity/messaging';
import { childTraceparent } from '@activity/observability';
import {
  AccountLinkClaimStore,
  AccountLinkStore,
  ReplicaRouting,
  DATA_SOURCE,
  inTenantTransaction,
  OutboxStore,
  SecretCipher,
  SyncRunStore,
  type AccountLink,
  type SyncRun,
  type TenantTransaction,
} from '@activity/persistence';
import { REDIS, SERVICE_CONFIG } from '@activity/platform';
import { ConnectorRegistry, LinkAccount, OAuthLinkTokens } from '@activity/use-cases';
import { ReplicaStores } from '../replica/replica.module';
import type { FeedApiConfig } from '../feed-api.config';

const SOURCE = '/feed-api';

/** How long a link code or a sign-in stays valid. */
const CLAIM_TTL_SECONDS = 600;
/** Link attempts per player per ten minutes: codes cannot be farmed, and failed lookups cannot drain an upstream's shared budget. */
const CLAIMS_PER_TEN_MINUTES = 10;
/** No 0/O, 1/I/L: a code is read off a screen and typed into a game chat. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export interface AccountView {
  id: string;
  provider: string;
  externalId: string;
  displayName: string | null;
  status: string;
  statusReason: string | null;
  lastSyncedAt: string | null;
  createdAt: string;
}

export interface PendingLinkView {
  status: 'pending_confirmation';
  provider: string;
  externalId: string;
  code: string;
  expiresAt: string;
  instructions: string;
}

/** Whether the caller may manage other users' links; asked only when a link is someone else's. */
export type ManagePermission = () => Promise<boolean>;

export interface SignInView {
  provider: string;
  redirectUrl: string;
  expiresAt: string;
}

/** An account the player connected on the platform they just linked, offered for linking in one call. */
export interface LinkSuggestion {
  provider: string;
  externalId: string;
  name: string;
  /** `POST` here (with the caller's token) links it without typing its id. */
  link: string;
}

export type OAuthLinkView = AccountView & { suggestions: LinkSuggestion[] };

/**
 * Account links. A player links only what they prove is theirs: a Minecraft UUID by typing a
 * code in game (the server's signed webhook confirms it), a Steam account by signing in through
 * Steam. Tenant admins (`activity.accounts.manage`) link any typed id for any user of the tenant,
 * and list and revoke anyone's links.
 */
@Injectable()
export class AccountsService {
  private readonly manualSyncs = new Map<string, number>();
  private readonly manualSyncCooldownSeconds: number;
  private readonly publicUrl: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
    @Inject(AccountLinkClaimStore) private readonly claims: AccountLinkClaimStore,
    @Inject(LinkAccount) private readonly recorder: LinkAccount,
    @Inject(SyncRunStore) private readonly runs: SyncRunStore,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(ReplicaRouting) private readonly routing: ReplicaRouting,
    @Inject(ReplicaStores) private readonly replica: ReplicaStores,
    @Inject(OAuthLinkTokens) private readonly tokens: OAuthLinkTokens,
    @Inject(SecretCipher) private readonly cipher: SecretCipher,
    @Inject(SERVICE_CONFIG) config: FeedApiConfig,
  ) {
    this.manualSyncCooldownSeconds = config.MANUAL_SYNC_COOLDOWN_SECONDS;
    this.publicUrl = config.FEED_API_PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`;
  }

  /** May come from the replica, except right after this user's links changed (read-your-writes). */
  async list(tenantId: string, userId: string): Promise<AccountView[]> {
    const links = await this.routing.choose(compositeKey(tenantId, userId), this.links, this.replica.links);
    return (await links.listForUser(tenantId, userId)).map(view);
  }

  /** The user whose links changed reads them from the primary until the replica has the change. */
  private async changed<T>(tenantId: string, userId: string, result: T): Promise<T> {
    await this.routing.noteWrite(compositeKey(tenantId, userId));
    return result;
  }

  /** An admin links a typed id for a user directly (the admin vouches for it). */
  async link(tenantId: string, userId: string, provider: string, account: string): Promise<AccountView> {
    const connector = this.connectors.get(provider);
    const linking = connector?.runtime.linking;
    // A connector this deployment does not run (e.g. Steam without STEAM_API_KEY) is not offered: 404, not an outage.
    if (!connector || !linking?.resolve) throw new DomainError('not_found', { path: `/v2/accounts/${provider}` });
    return this.createLink(tenantId, userId, provider, connector.displayName, await linking.resolve({ account }));
  }

  /** Stores a resolved identity as the user's link (with its `account.linked`); 409 when the tenant has it linked already. */
  private async createLink(tenantId: string, userId: string, provider: string, displayName: string, identity: LinkedIdentity): Promise<AccountView> {
    const created = await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const link = await this.recorder.create(
        tx,
        { tenantId, userId, provider, externalId: identity.externalId, ...(identity.displayName ? { displayName: identity.displayName } : {}) },
        SOURCE,
      );
      if (!link) throw new DomainError('account_already_linked', { provider: displayName });
      return view(link);
    });
    return this.changed(tenantId, userId, created);
  }

  /**
   * A player links a platform through one of their own live links of another connector whose
   * proof carries over (TruckersMP through Steam); the attempt spends the link-claim budget,
   * because each one asks the platform.
   */
  async linkThrough(principal: Principal, provider: string, via: string): Promise<AccountView> {
    const connector = this.connectors.get(provider);
    const linking = connector?.runtime.linking;
    const viaLinking = this.connectors.get(via)?.runtime.linking;
    // Either this platform trusts the other's proof (TruckersMP through Steam), or the other lists
    // the accounts the player connected there and verified (Steam through Discord's connections).
    const vouched = linking?.kind === 'typed-id' && linking.through?.providers.includes(via) ? linking.through : null;
    const connected = viaLinking?.kind === 'oauth2' && viaLinking.connectedAccounts ? viaLinking : null;
    if (!connector || !linking || (!vouched && !connected)) throw new DomainError('not_found', { path: `/v2/accounts/${provider}/through/${via}` });
    const { tenantId, userId } = principal;
    await inTenantTransaction(this.dataSource, tenantId, (tx) => this.takeClaimBudget(tx, principal));
    const viaName = this.connectors.get(via)?.displayName ?? via;
    const proof = (await this.links.listForUser(tenantId, userId)).find((link) => link.provider === via);
    if (!proof)
      throw new DomainError('validation_failed', {}, [
        { field: 'via', rule: 'provenLink', message: `link your ${viaName} account first`, messageKey: 'validation.accounts.linkFirst', params: { platform: viaName } },
      ]);
    if (vouched) return this.createLink(tenantId, userId, provider, connector.displayName, await vouched.resolve(via, proof.externalId));
    const accounts = await connected!.connectedAccounts!(await this.tokens.accessToken(tenantId, proof.id, connected!, viaName));
    const account = accounts.find((candidate) => candidate.provider === provider && candidate.verified);
    if (!account)
      throw new DomainError('validation_failed', {}, [
        {
          field: 'provider',
          rule: 'verifiedConnection',
          message: `your ${viaName} account has no verified ${connector.displayName} connection`,
          messageKey: 'validation.accounts.noVerifiedConnection',
          params: { platform: connector.displayName, via: viaName },
        },
      ]);
    return this.createLink(tenantId, userId, provider, connector.displayName, { externalId: account.externalId, displayName: account.name });
  }

  /** A player starts an OAuth2 authorization (Discord): PKCE S256 and a state bound to them, valid ten minutes, used once. */
  async startOAuth(principal: Principal, provider: string): Promise<{ provider: string; authorizeUrl: string; expiresAt: string }> {
    const linking = this.oauthOf(provider);
    const state = `${Buffer.from(principal.tenantId).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
    const pkce = createPkcePair();
    const claim = await inTenantTransaction(this.dataSource, principal.tenantId, async (tx) => {
      await this.takeClaimBudget(tx, principal);
      return this.claims.create(tx, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        provider,
        externalId: null,
        secret: state,
        ttlSeconds: CLAIM_TTL_SECONDS,
        verifierCiphertext: this.cipher.seal(pkce.verifier),
      });
    });
    return { provider, authorizeUrl: linking.client.authorizeUrl(state, pkce.challenge, linking.authorizeParameters ?? {}), expiresAt: claim.expiresAt.toISOString() };
  }

  /**
   * The platform sent the player back: the state (once, unexpired) names who started; the code is
   * exchanged with our PKCE verifier; the tokens' owner becomes the link, its tokens kept sealed.
   * A denied consent, a wrong or used state and a refused code each end without a link.
   */
  async completeOAuth(provider: string, params: Record<string, string | undefined>): Promise<OAuthLinkView> {
    const state = params['state'] ?? '';
    const tenantId = /^[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{32}$/.test(state) ? Buffer.from(state.split('.')[0]!, 'base64url').toString('utf8') : '';
    const linking = this.connectors.get(provider)?.runtime.linking;
    if (linking?.kind !== 'oauth2' || !tenantId) throw invalidState();
    const claim = await inTenantTransaction(this.dataSource, tenantId, (tx) => this.claims.take(tx, provider, state));
    if (!claim?.verifierCiphertext) throw invalidState();
    const displayName = this.connectors.get(provider)!.displayName;
    if (params['error']) throw new DomainError('oauth_access_denied', { provider: displayName, reason: String(params['error']).slice(0, 64) });
    const code = params['code'] ?? '';
    if (!/^[A-Za-z0-9._~-]{1,512}$/.test(code))
      throw new DomainError('validation_failed', {}, [{ field: 'code', rule: 'authorizationCode', message: 'the authorization code is missing or malformed; start again' }]);
    const tokens = await linking.client.exchangeCode(code, this.cipher.open(claim.verifierCiphertext));
    const identity = await linking.identify(tokens.accessToken);
    const created = await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const link = await this.recorder.create(
        tx,
        { tenantId, userId: claim.userId, provider, externalId: identity.externalId, ...(identity.displayName ? { displayName: identity.displayName } : {}) },
        SOURCE,
      );
      if (!link) throw new DomainError('account_already_linked', { provider: displayName });
      await this.tokens.store(tx, link.id, tokens);
      return view(link);
    });
    await this.changed(tenantId, claim.userId, undefined);
    return { ...created, suggestions: await this.suggestions(linking, tokens.accessToken, tenantId, claim.userId, provider) };
  }

  /** Verified accounts the player connected on the platform, of connectors we link, not linked yet. Never fails the link. */
  private async suggestions(linking: OAuth2Linking, accessToken: string, tenantId: string, userId: string, via: string): Promise<LinkSuggestion[]> {
    if (!linking.connectedAccounts) return [];
    let accounts: ConnectedAccount[];
    try {
      accounts = await linking.connectedAccounts(accessToken);
    } catch {
      return [];
    }
    const linked = new Set((await this.links.listForUser(tenantId, userId)).map((link) => `${link.provider}:${link.externalId}`));
    return accounts
      .filter((account) => account.verified && this.connectors.get(account.provider)?.runtime.linking && !linked.has(`${account.provider}:${account.externalId}`))
      .map((account) => ({ provider: account.provider, externalId: account.externalId, name: account.name, link: `/v2/accounts/${account.provider}/through/${via}` }));
  }

  /** A player asks to link an identity they must prove in game: a code to type there. */
  async requestCode(principal: Principal, provider: string, account: string, locale: Locale): Promise<PendingLinkView> {
    const connector = this.connectors.get(provider);
    const linking = connector?.runtime.linking;
    if (!connector || linking?.kind !== 'platform-code') throw new DomainError('not_found', { path: `/v2/accounts/${provider}` });
    const identity = await linking.resolve({ account });
    const code = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const claim = await inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      await this.takeClaimBudget(manager, principal);
      if (await this.links.findUserId(manager, provider, identity.externalId)) throw new DomainError('account_already_linked', { provider: connector.displayName });
      return this.claims.create(manager, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        provider,
        externalId: identity.externalId,
        secret: normalizeLinkCode(code),
        ttlSeconds: CLAIM_TTL_SECONDS,
      });
    });
    const shown = `${code.slice(0, 4)}-${code.slice(4)}`;
    return {
      status: 'pending_confirmation',
      provider,
      externalId: identity.externalId,
      code: shown,
      expiresAt: claim.expiresAt.toISOString(),
      instructions: messages().format(locale, 'accounts.linkCodeInstructions', { platform: connector.displayName, code: shown }) ?? shown,
    };
  }

  /** A player starts signing in at the platform (Steam's OpenID); the callback creates the link. */
  async startOpenIdSignIn(principal: Principal, provider: string): Promise<SignInView> {
    const linking = this.openIdOf(provider);
    // The tenant travels in the state, because the callback arrives without the player's token.
    const state = `${Buffer.from(principal.tenantId).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
    const claim = await inTenantTransaction(this.dataSource, principal.tenantId, async (tx) => {
      await this.takeClaimBudget(tx, principal);
      return this.claims.create(tx, { tenantId: principal.tenantId, userId: principal.userId, provider, externalId: null, secret: state, ttlSeconds: CLAIM_TTL_SECONDS });
    });
    return { provider, redirectUrl: linking.signInUrl(this.callbackUrl(provider, state)), expiresAt: claim.expiresAt.toISOString() };
  }

  /** The platform redirected the player back: verify the assertion with it, then link what it proves to whoever started the sign-in. */
  async completeOpenIdSignIn(provider: string, params: Record<string, string | undefined>): Promise<AccountView> {
    const state = params['state'] ?? '';
    const tenantId = /^[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{32}$/.test(state) ? Buffer.from(state.split('.')[0]!, 'base64url').toString('utf8') : '';
    const linking = this.connectors.get(provider)?.runtime.linking;
    if (linking?.kind !== 'openid' || !tenantId) throw invalidState();
    const externalId = await linking.verify(params, this.callbackUrl(provider, state));
    const { userId, created } = await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const claim = await this.claims.take(tx, provider, state);
      if (!claim) throw invalidState();
      const link = await this.recorder.create(tx, { tenantId, userId: claim.userId, provider, externalId }, SOURCE);
      if (!link) throw new DomainError('account_already_linked', { provider: this.connectors.get(provider)!.displayName });
      return { userId: claim.userId, created: view(link) };
    });
    return this.changed(tenantId, userId, created);
  }

  /** Revokes: syncing stops, and `account.linked` with status `revoked` tells the platform. */
  async revoke(principal: Principal, id: string, canManage: ManagePermission): Promise<void> {
    const { owner, provider, sealed } = await inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      const link = await this.reachable(manager, principal, id, canManage, true);
      const credentials = await this.tokens.sealedOf(manager, link.id);
      await this.recorder.revoke(manager, link, SOURCE);
      return { owner: link.userId, provider: link.provider, sealed: credentials };
    });
    // Our side is done; the platform is told after (revoking there ends the whole authorization).
    const linking = this.connectors.get(provider)?.runtime.linking;
    if (linking?.kind === 'oauth2') await this.tokens.revokeUpstream(linking, sealed);
    await this.changed(principal.tenantId, owner, undefined);
  }

  /** Enqueues a sync now; once per link per cooldown (shared across instances through Redis). */
  async syncNow(principal: Principal, id: string, canManage: ManagePermission): Promise<{ status: 'queued' }> {
    await inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      const link = await this.reachable(manager, principal, id, canManage);
      if (!this.connectors.get(link.provider)?.syncs)
        throw new DomainError('validation_failed', {}, [
          { field: 'id', rule: 'canSync', message: `${link.provider} accounts are not synced`, params: { provider: link.provider } },
        ]);
      await this.takeCooldown(id);
      await this.outbox.enqueue(manager, [
        announce(
          Topic.SyncRequested,
          principal.tenantId,
          MessageKey.accountLink(principal.tenantId, id),
          { tenantId: principal.tenantId, accountLinkId: id, trigger: 'manual' },
          {
            source: SOURCE,
            subject: id,
            traceparent: childTraceparent(),
          },
        ),
      ]);
    });
    return { status: 'queued' };
  }

  async syncRuns(principal: Principal, id: string, canManage: ManagePermission): Promise<SyncRun[]> {
    return inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      await this.reachable(manager, principal, id, canManage);
      return this.runs.listForLink(manager, id, 20);
    });
  }

  private oauthOf(provider: string): OAuth2Linking {
    const linking = this.connectors.get(provider)?.runtime.linking;
    if (linking?.kind !== 'oauth2') throw new DomainError('not_found', { path: `/v2/accounts/${provider}/authorize` });
    return linking;
  }

  private openIdOf(provider: string): OpenIdLinking {
    const linking = this.connectors.get(provider)?.runtime.linking;
    if (linking?.kind !== 'openid') throw new DomainError('not_found', { path: `/v2/accounts/${provider}/openid` });
    return linking;
  }

  private callbackUrl(provider: string, state: string): string {
    const url = new URL(`/v2/accounts/${provider}/openid/callback`, this.publicUrl);
    url.searchParams.set('state', state);
    return url.toString();
  }

  private async takeClaimBudget(manager: TenantTransaction, principal: Principal): Promise<void> {
    if ((await this.claims.countRecent(manager, principal.userId, 600)) >= CLAIMS_PER_TEN_MINUTES) throw new DomainError('rate_limited', { retryAfterSeconds: 600 });
  }

  /** The caller's own live link, or (for a tenant admin) anyone's in the tenant. */
  private async reachable(manager: TenantTransaction, principal: Principal, id: string, canManage: ManagePermission, lock = false): Promise<AccountLink> {
    const link = await this.links.get(manager, id, { lock });
    // Someone else's link is "not found", the same as no link: ids reveal nothing.
    if (!link || link.status === 'revoked' || (link.userId !== principal.userId && !(await canManage()))) throw new DomainError('not_found', { path: `account ${id}` });
    return link;
  }

  private async takeCooldown(id: string): Promise<void> {
    const seconds = this.manualSyncCooldownSeconds;
    if (this.redis) {
      const taken = await this.redis.set(`sync:manual:${id}`, '1', 'EX', seconds, 'NX');
      if (taken !== 'OK') throw new DomainError('rate_limited', { retryAfterSeconds: Math.max(1, await this.redis.ttl(`sync:manual:${id}`)) });
      return;
    }
    const until = this.manualSyncs.get(id) ?? 0;
    if (until > Date.now()) throw new DomainError('rate_limited', { retryAfterSeconds: Math.ceil((until - Date.now()) / 1000) });
    this.manualSyncs.set(id, Date.now() + seconds * 1000);
  }
}

function invalidState(): DomainError {
  return new DomainError('validation_failed', {}, [{ field: 'state', rule: 'signInState', message: 'this sign-in is unknown, was used already, or expired; start again' }]);
}

function view(link: AccountLink): AccountView {
  return {
    id: link.id,
    provider: link.provider,
    externalId: link.externalId,
    displayName: link.displayName,
    status: link.status,
    statusReason: link.statusReason,
    lastSyncedAt: link.lastSyncedAt?.toISOString() ?? null,
    createdAt: link.createdAt.toISOString(),
  };
}
