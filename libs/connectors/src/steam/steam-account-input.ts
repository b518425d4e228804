import { DomainError } from '@activity/domain';

export type SteamAccountReference = { readonly kind: 'steamid'; readonly steamId: string } | { readonly kind: 'vanity'; readonly vanity: string };

const STEAM_ID64 = /^7656119\d{10}$/;

/**
 * What a player may type to link Steam: a SteamID64, a profile URL
 * (`https://steamcommunity.com/profiles/<id>` or `/id/<vanity>`), or a bare vanity name.
 */
export function parseSteamAccount(input: string): SteamAccountReference {
  const value = input.trim();
  if (STEAM_ID64.test(value)) return { kind: 'steamid', steamId: value };
  const url = /^(?:https?:\/\/)?(?:www\.)?steamcommunity\.com\/(profiles|id)\/([^/?#]+)\/?(?:[?#].*)?$/i.exec(value);
  if (url) {
    const [, kind, id] = url;
    if (kind!.toLowerCase() === 'profiles') {
      if (!STEAM_ID64.test(id!)) throw invalid('noSteamId', 'the profile URL does not contain a SteamID64');
      return { kind: 'steamid', steamId: id! };
    }
    return { kind: 'vanity', vanity: vanityName(id!) };
  }
  if (/^[A-Za-z0-9_-]{2,32}$/.test(value)) return { kind: 'vanity', vanity: value };
  throw invalid('accountInput', 'give a SteamID64 (7656119...), a steamcommunity.com profile URL, or a custom URL name');
}

/** Custom URL names are letters, digits, `_` and `-`; a percent-escape that decodes to anything else is no name. */
function vanityName(segment: string): string {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    throw invalid('percentEncoding', 'the profile URL is not correctly percent-encoded');
  }
  if (!/^[A-Za-z0-9_-]{2,32}$/.test(name)) throw invalid('vanityName', 'a custom URL name is 2 to 32 letters, digits, "_" or "-"');
  return name;
}

/** `key` names the message in the connector's catalogue (`validation.steam.<key>`). */
export function invalid(key: string, message: string, params: Record<string, string> = {}): DomainError {
  return new DomainError('validation_failed', {}, [{ field: 'account', rule: 'steamAccount', message, messageKey: `validation.steam.${key}`, params }]);
}
