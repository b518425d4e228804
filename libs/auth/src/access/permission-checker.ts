import type { Permission } from './permissions';

export interface PermissionQuery {
  readonly tenantId: string;
  /** `user:<id>` for players, `service:<name>` for internal callers. */
  readonly subject: string;
  readonly permission: Permission;
  /** What the permission is exercised on, e.g. `feed:alice`; optional. */
  readonly resource?: string;
}

/** Decides whether a subject holds a permission. Implementations: static policy, the Access service. */
export interface PermissionChecker {
  check(query: PermissionQuery): Promise<boolean>;
}

export const PERMISSION_CHECKER = Symbol('PERMISSION_CHECKER');
