/**
 * The permission catalogue (docs/permissions.md). Routes declare one of these; the Access
 * service (or the static policy in development) decides who holds them.
 */
export const PERMISSIONS = [
  'activity.feed.read',
  'activity.feed.read_tenant',
  'activity.accounts.link',
  'activity.accounts.manage',
  'activity.webhooks.manage',
  'activity.events.write',
  'activity.users.write',
  'activity.admin',
] as const;

export type Permission = (typeof PERMISSIONS)[number];
