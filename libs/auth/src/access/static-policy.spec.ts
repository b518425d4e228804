import { StaticPolicyChecker } from './static-policy';

const policy = {
  roles: { player: ['activity.feed.read'], admin: ['activity.feed.read', 'activity.feed.read_tenant'], producer: ['activity.events.write'] },
  defaultRoles: ['player'],
  subjects: { 'acme:user:boss': ['admin'], '*:service:achievements': ['producer'] },
};

describe('StaticPolicyChecker', () => {
  const checker = new StaticPolicyChecker(policy);

  it('grants default roles to everyone', async () => {
    await expect(checker.check({ tenantId: 'acme', subject: 'user:alice', permission: 'activity.feed.read' })).resolves.toBe(true);
    await expect(checker.check({ tenantId: 'acme', subject: 'user:alice', permission: 'activity.feed.read_tenant' })).resolves.toBe(false);
  });

  it('grants per-tenant roles only in that tenant', async () => {
    await expect(checker.check({ tenantId: 'acme', subject: 'user:boss', permission: 'activity.feed.read_tenant' })).resolves.toBe(true);
    await expect(checker.check({ tenantId: 'other', subject: 'user:boss', permission: 'activity.feed.read_tenant' })).resolves.toBe(false);
  });

  it('grants wildcard-tenant roles everywhere', async () => {
    await expect(checker.check({ tenantId: '*', subject: 'service:achievements', permission: 'activity.events.write' })).resolves.toBe(true);
  });

  it('refuses a policy with unknown permissions or roles', () => {
    expect(() => new StaticPolicyChecker({ ...policy, roles: { player: ['activity.feed.write'] } })).toThrow(/unknown permissions activity.feed.write/);
    expect(() => new StaticPolicyChecker({ ...policy, defaultRoles: ['ghost'] })).toThrow(/unknown roles ghost/);
  });

  it('loads the built-in development policy', async () => {
    const builtIn = StaticPolicyChecker.fromFile(undefined);
    await expect(builtIn.check({ tenantId: 'demo', subject: 'user:admin', permission: 'activity.feed.read_tenant' })).resolves.toBe(true);
  });
});
