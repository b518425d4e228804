/**
 * Every activity type the service can store, by connector. Feed filters are validated against
 * this list, so a typo in `types=` is a 400 rather than a silently empty feed.
 */
export const EVENT_TYPES = [
  'minecraft.player.joined',
  'minecraft.player.quit',
  'minecraft.player.advancement',
  'minecraft.player.death',
  'steam.game.added',
  'steam.game.played',
  'steam.achievement.unlocked',
  'steam.profile.updated',
  'platform.event',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isKnownEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}
