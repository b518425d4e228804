import { DomainError } from '@activity/domain';

const STEAM_ID64 = /^7656119\d{10}$/;
const PLAYER_ID = /^[1-9]\d{0,9}$/;

/**
 * What may be typed to link TruckersMP: a TruckersMP id, a profile URL
 * (`https://truckersmp.com/user/<id>`), or a SteamID64 (the API looks players up by either).
 * Returns the id to ask the API about.
 */
export function parseTruckersMpAccount(input: string): string {
  const value = input.trim();
  if (PLAYER_ID.test(value) || STEAM_ID64.test(value)) return value;
  const url = /^(?:https?:\/\/)?(?:www\.)?truckersmp\.com\/user\/(\d+)\/?(?:[?#].*)?$/i.exec(value);
  if (url && PLAYER_ID.test(url[1]!)) return url[1]!;
  throw invalidTruckersMpAccount('accountInput', 'give a TruckersMP id, a truckersmp.com/user/<id> profile URL, or a SteamID64');
}

/** `key` names the message in the connector's catalogue (`validation.truckersmp.<key>`). */
export function invalidTruckersMpAccount(key: string, message: string, params: Record<string, string> = {}): DomainError {
  return new DomainError('validation_failed', {}, [{ field: 'account', rule: 'truckersmpAccount', message, messageKey: `validation.truckersmp.${key}`, params }]);
}
