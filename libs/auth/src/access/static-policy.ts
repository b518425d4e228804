import { readFileSync } from 'node:fs';
import { PERMISSIONS, type Permission } from './permissions';
import type { PermissionChecker, PermissionQuery } from './permission-checker';
import defaultPolicy from '../policies/default-policy.json';

/**
 * ACCESS_MODE=static: roles -> permissions from a JSON file, and which subjects hold which roles
 * (`<tenant>:<subject>` or `*:<subject>`, plus `defaultRoles` for everyone). The development and
 * demo default; production asks the Access service.
 */
export interface StaticPolicy {
  roles: Record<string, string[]>;
  defaultRoles: string[];
  subjects: Record<string, string[]>;
}

export class StaticPolicyChecker implements PermissionChecker {
  constructor(private readonly policy: StaticPolicy) {
    for (const [role, permissions] of Object.entries(policy.roles)) {
      const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
      if (unknown.length) throw new Error(`access policy: role "${role}" names unknown permissions ${unknown.join(', ')}`);
    }
    for (const [subject, roles] of Object.entries({ '(default)': policy.defaultRoles, ...policy.subjects })) {
      const unknown = roles.filter((role) => !(role in policy.roles));
      if (unknown.length) throw new Error(`access policy: subject "${subject}" has unknown roles ${unknown.join(', ')}`);
    }
  }

  static fromFile(path: string | undefined): StaticPolicyChecker {
    return new StaticPolicyChecker(path ? (JSON.parse(readFileSync(path, 'utf8')) as StaticPolicy) : (defaultPolicy as StaticPolicy));
  }

  async check(query: PermissionQuery): Promise<boolean> {
    return this.permissionsOf(query.tenantId, query.subject).has(query.permission);
  }

  permissionsOf(tenantId: string, subject: string): Set<Permission> {
    const roles = [...this.policy.defaultRoles, ...(this.policy.subjects[`${tenantId}:${subject}`] ?? []), ...(this.policy.subjects[`*:${subject}`] ?? [])];
    return new Set(roles.flatMap((role) => this.policy.roles[role] ?? []) as Permission[]);
  }
}
