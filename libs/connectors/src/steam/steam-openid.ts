import { DomainError } from '@activity/domain';

const NS = 'http://specs.openid.net/auth/2.0';
const IDENTIFIER_SELECT = 'http://specs.openid.net/auth/2.0/identifier_select';
const CLAIMED_ID = /^https:\/\/steamcommunity\.com\/openid\/id\/(7656119\d{10})$/;
const REQUIRED_SIGNED = ['op_endpoint', 'claimed_id', 'identity', 'return_to', 'response_nonce'];
/** Steam's provider endpoint as it names itself in assertions, whatever URL we reach it at. */
const STEAM_OP_ENDPOINT = 'https://steamcommunity.com/openid/login';

/**
 * "Sign in through Steam" (OpenID 2.0): the one way a player proves a SteamID64 is theirs.
 * Steam signs the identity into the redirect back to us; we accept it only after Steam itself
 * confirms the assertion (`check_authentication`), for exactly the return URL we issued.
 */
export class SteamOpenId {
  constructor(
    /** Where the login page and check_authentication live (the fake Steam in tests and the demo). */
    private readonly endpoint: string,
    private readonly timeoutMs: number,
  ) {}

  /** Where to send the player's browser. */
  signInUrl(returnTo: string): string {
    const url = new URL(this.endpoint);
    const realm = new URL(returnTo).origin;
    for (const [name, value] of Object.entries({
      'openid.ns': NS,
      'openid.mode': 'checkid_setup',
      'openid.claimed_id': IDENTIFIER_SELECT,
      'openid.identity': IDENTIFIER_SELECT,
      'openid.return_to': returnTo,
      'openid.realm': realm,
    })) {
      url.searchParams.set(name, value);
    }
    return url.toString();
  }

  /** The SteamID64 the assertion proves, or a `validation_failed` naming what was wrong. */
  async verify(params: Readonly<Record<string, string | undefined>>, expectedReturnTo: string): Promise<string> {
    const get = (name: string) => params[`openid.${name}`];
    if (get('mode') === 'cancel') throw refused('signInCancelled', 'the player cancelled signing in through Steam');
    if (get('mode') !== 'id_res' || get('ns') !== NS) throw refused('notPositive', 'not a positive OpenID assertion');
    if (get('op_endpoint') !== STEAM_OP_ENDPOINT) throw refused('notFromSteam', 'the assertion is not from Steam');
    if (get('return_to') !== expectedReturnTo) throw refused('otherReturnUrl', 'the assertion was issued for another return URL');
    const claimed = CLAIMED_ID.exec(get('claimed_id') ?? '');
    if (!claimed || get('identity') !== get('claimed_id')) throw refused('noAccount', 'the assertion does not name a Steam account');
    const signed = (get('signed') ?? '').split(',');
    if (!REQUIRED_SIGNED.every((field) => signed.includes(field)) || !get('sig')) throw refused('unsigned', 'the assertion does not sign what it must');

    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (name.startsWith('openid.') && value !== undefined) body.set(name, value);
    body.set('openid.mode', 'check_authentication');
    let answer: string;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      answer = await response.text();
    } catch (error) {
      throw new DomainError('dependency_unavailable', { dependency: 'Steam sign-in', retryAfterSeconds: 30 }, undefined, { cause: error });
    }
    if (!answer.split('\n').some((line) => line.trim() === 'is_valid:true')) throw refused('notConfirmed', 'Steam did not confirm the assertion');
    return claimed[1]!;
  }
}

function refused(key: string, message: string): DomainError {
  return new DomainError('validation_failed', {}, [{ field: 'openid', rule: 'steamOpenId', message, messageKey: `validation.steam.${key}` }]);
}
