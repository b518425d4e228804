import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { signHmacSha256Hex, signStandardWebhook, signStandardWebhookEd25519, standardWebhookPublicKeyOf } from '@activity/connector-sdk';
import { KafkaProbe } from '@activity/messaging';
import { createDataSource } from '@activity/persistence';
import { ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';
import { feedApiCaller } from './fixtures/feed-api-caller';

/**
 * Generic webhook sources that tenant admins configure over `/v2/webhook-sources`, through the
 * four real services: create with rules, dry-run, signed deliveries (GitHub and Standard
 * Webhooks, HMAC and Ed25519) mapped into the tenant feed, unmatched deliveries kept visible,
 * a rule that fails dead-lettered with its reason, secret rotation, and other tenants kept out.
 */
describe('custom webhook sources, end to end', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `hooks-${run}`;
  const other = `hooks-other-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/custom-webhooks-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  const services: ServiceProcess[] = [];
  let feedApi: ServiceProcess;
  let gateway: ServiceProcess;
  let admin: DataSource;
  let probe: KafkaProbe;

  const PUSH_RULE = {
    name: 'push',
    when: 'headers."x-github-event" = "push"',
    type: '"repo.pushed"',
    actor: '{ "id": "github:" & body.sender.login, "name": body.sender.login }',
    target: '{ "id": body.repository.html_url, "name": body.repository.full_name, "type": "Repository" }',
    eventId: 'body.after',
    summary: {
      en: 'body.sender.login & " pushed " & $count(body.commits) & " commit(s) to " & body.repository.full_name',
      ru: 'body.sender.login & " отправляет коммиты (" & $count(body.commits) & ") в " & body.repository.full_name',
    },
  };
  const RELEASE_RULE = {
    name: 'release',
    when: 'headers."x-github-event" = "release" and body.action = "published"',
    type: '"release.published"',
    actor: 'body.sender.login',
    object: '{ "id": body.release.html_url, "name": body.release.name }',
    eventId: '"release:" & $string(body.release.id)',
    summary: { en: 'body.sender.login & " published " & body.release.name', ru: 'body.sender.login & " публикует " & body.release.name' },
  };
  const push = (after: string, commits = 2) => ({
    ref: 'refs/heads/main',
    after,
    commits: Array.from({ length: commits }, (_, i) => ({ id: `${after}-${i}` })),
    sender: { login: 'octocat' },
    repository: { full_name: 'octo/hello', html_url: 'https://github.com/octo/hello' },
  });

  const call = feedApiCaller(() => feedApi.url, keyDir, { tenantId: tenant, user: 'steward' });

  function sendGithub(sourceId: string, secret: string, event: string, payload: unknown, delivery = randomUUID()) {
    const body = JSON.stringify(payload);
    return fetch(`${gateway.url}/v1/webhooks/custom/${sourceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': signHmacSha256Hex(secret, body) },
      body,
    });
  }

  function sendStandard(sourceId: string, signature: (id: string, seconds: number, body: string) => string, payload: unknown, id = `msg_${randomUUID()}`) {
    const body = JSON.stringify(payload);
    const seconds = Math.floor(Date.now() / 1000);
    return fetch(`${gateway.url}/v1/webhooks/custom/${sourceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': signature(id, seconds, body) },
      body,
    });
  }

  async function tenantFeed(
    query = '',
    locale = 'en',
  ): Promise<Array<{ type: string; summary: string; actor: { id: string }; target?: { name: string }; payload: Record<string, unknown> }>> {
    const response = await call('GET', `/v2/feed?scope=tenant${query}`, { locale });
    expect(response.status).toBe(200);
    return response.body.items;
  }

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(
      policyFile,
      JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'], [`${other}:user:intruder`]: ['tenant-admin'] } }),
    );
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'custom-webhooks-test' }).initialize();
    probe = await KafkaProbe.start(environment.kafkaBrokers, [`${environment.topicPrefix}webhook.received.dlq`]);
    const env = { ...serviceEnvironment(environment), JWT_DEV_KEY_DIR: keyDir, ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`, CUSTOM_MAPPING_TIMEOUT_MS: '100' };
    const stack = await ServiceProcess.startAll(environment.portBase + 160, env);
    ({ feedApi, gateway } = stack);
    services.push(...stack.all);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await probe?.stop();
    await admin?.destroy();
  }, 60_000);

  let githubSecret: string;

  it('a tenant admin creates a GitHub source with rules; the secret is shown once; players may not manage sources', async () => {
    const created = await call('POST', '/v2/webhook-sources', { body: { id: `gh_${run}`, name: 'Team GitHub', signature: 'github', rules: [PUSH_RULE, RELEASE_RULE] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: `gh_${run}`,
      connector: 'custom',
      signature: 'github',
      intakePath: `/v1/webhooks/custom/gh_${run}`,
      liveSecrets: 1,
      unmatched: { deliveries: 0 },
    });
    githubSecret = created.body.secret;
    expect(githubSecret).toMatch(/^[0-9a-f]{64}$/);
    const listed = await call('GET', '/v2/webhook-sources');
    expect(listed.body).toEqual([expect.objectContaining({ id: `gh_${run}`, rules: [expect.objectContaining({ name: 'push' }), expect.objectContaining({ name: 'release' })] })]);
    expect(JSON.stringify(listed.body)).not.toContain(githubSecret);
    expect((await call('GET', '/v2/webhook-sources', { user: 'player' })).status).toBe(403);
    expect((await call('POST', '/v2/webhook-sources', { user: 'player', body: { id: `p_${run}`, name: 'x' } })).status).toBe(403);
    expect((await call('POST', '/v2/webhook-sources', { body: { id: `gh_${run}`, name: 'again' } })).body).toMatchObject({ status: 409, code: 'webhook_source_exists' });
  });

  it('refuses rules that do not compile, naming the rule, the field and the position (EN and RU)', async () => {
    const broken = {
      id: `broken_${run}`,
      name: 'Broken',
      rules: [
        { ...PUSH_RULE, actor: 'body.sender.(login' },
        { name: 'push', type: '"x"', summary: {} },
      ],
    };
    const english = await call('POST', '/v2/webhook-sources', { body: broken });
    expect(english.status).toBe(400);
    expect(english.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'rules[0].actor', message: expect.stringMatching(/^the expression does not parse at character \d+: /) }),
        expect.objectContaining({ field: 'rules[1].name', message: 'two rules are named "push"' }),
        expect.objectContaining({ field: 'rules[1].actor', message: 'actor is required' }),
      ]),
    );
    const russian = await call('POST', '/v2/webhook-sources', { body: broken, locale: 'ru' });
    expect(russian.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'rules[0].actor', message: expect.stringMatching(/^выражение не разбирается в позиции \d+: /) })]),
    );
    expect((await call('GET', `/v2/webhook-sources/broken_${run}`)).status).toBe(404);
    const badPatch = await call('PATCH', `/v2/webhook-sources/gh_${run}`, { body: { rules: 'not a list' } });
    expect(badPatch.status).toBe(400);
  });

  it('dry run: the event a sample would make, a sample no rule picks, and a rule error with its position; nothing is written', async () => {
    const before = await tenantFeed();
    const matched = await call('POST', `/v2/webhook-sources/gh_${run}/dry-run`, { body: { body: push('dry1'), headers: { 'X-GitHub-Event': 'push' } } });
    expect(matched.status).toBe(200);
    expect(matched.body).toMatchObject({
      outcome: 'matched',
      matched: 'push',
      events: [{ type: `custom.gh_${run}.repo.pushed`, sourceEventId: `gh_${run}:dry1`, payload: { summary: { en: 'octocat pushed 2 commit(s) to octo/hello' } } }],
    });
    expect((await call('POST', `/v2/webhook-sources/gh_${run}/dry-run`, { body: { body: { zen: 'Keep it simple' }, headers: { 'x-github-event': 'ping' } } })).body).toMatchObject({
      outcome: 'unmatched',
      matched: null,
      events: [],
    });
    const failing = await call('POST', `/v2/webhook-sources/gh_${run}/dry-run`, {
      body: { body: push('dry2'), headers: { 'x-github-event': 'push' }, rules: [{ ...PUSH_RULE, actor: '$notAFunction(body)' }] },
    });
    expect(failing.body).toMatchObject({ outcome: 'failed', error: { rule: 'push', field: 'actor', position: expect.any(Number) } });
    expect(await tenantFeed()).toEqual(before);
  });

  it('signed GitHub deliveries become events in the tenant feed (push and release, EN and RU); a re-sent delivery is one event', async () => {
    const delivery = randomUUID();
    expect((await sendGithub(`gh_${run}`, githubSecret, 'push', push('c0ffee1'), delivery)).status).toBe(202);
    expect((await (await sendGithub(`gh_${run}`, githubSecret, 'push', push('c0ffee1'), delivery)).json()) as { status: string }).toMatchObject({ status: 'duplicate' });
    expect(
      (await sendGithub(`gh_${run}`, githubSecret, 'release', { action: 'published', sender: { login: 'octocat' }, release: { id: 77, name: 'v1.0', html_url: 'u' } })).status,
    ).toBe(202);
    await waitFor('both events', async () => (await tenantFeed()).length === 2 || undefined, 30_000);
    const feed = await tenantFeed();
    expect(feed.map((item) => item.summary).sort()).toEqual(['octocat published v1.0', 'octocat pushed 2 commit(s) to octo/hello']);
    expect(feed.find((item) => item.type === `custom.gh_${run}.repo.pushed`)).toMatchObject({ actor: { id: 'github:octocat' }, target: { name: 'octo/hello' } });
    expect((await tenantFeed(`&types=custom.gh_${run}.release.published`, 'ru')).map((item) => item.summary)).toEqual(['octocat публикует v1.0']);
    // A bad signature is refused at the door.
    expect((await sendGithub(`gh_${run}`, 'not-the-secret', 'push', push('c0ffee2'))).status).toBe(401);
  });

  it('a delivery no rule picks is counted with its shape (no values) for the admin, not dropped silently', async () => {
    expect((await sendGithub(`gh_${run}`, githubSecret, 'star', { action: 'created', starred_at: '2026-11-27T10:00:00Z', secretValue: 'hunter2' })).status).toBe(202);
    const source = await waitFor('the unmatched delivery', async () => {
      const answer = await call('GET', `/v2/webhook-sources/gh_${run}`);
      return answer.body.unmatched.deliveries === 1 ? answer.body : undefined;
    });
    expect(source.unmatched.samples[0]).toMatchObject({
      shape: { action: 'string', starred_at: 'string', secretValue: 'string' },
      headers: expect.arrayContaining(['x-github-event']),
    });
    expect(JSON.stringify(source)).not.toContain('hunter2');
  });

  it('a rule that fails on a delivery sends it to the DLQ with the reason, and the next delivery is mapped', async () => {
    const patched = await call('PATCH', `/v2/webhook-sources/gh_${run}`, {
      body: { rules: [{ ...PUSH_RULE, actor: 'body.sender.login & $error("no sender for you")' }, RELEASE_RULE] },
    });
    expect(patched.status).toBe(200);
    const poison = randomUUID();
    expect((await sendGithub(`gh_${run}`, githubSecret, 'push', push('bad1'), poison)).status).toBe(202);
    const dead = await probe.waitForMessage('the poison delivery in the DLQ', (m) => m.topic.endsWith('webhook.received.dlq') && m.headers['ce_subject'] === poison, 30_000);
    expect(dead.headers).toMatchObject({ dlq_reason: 'mapping_failed' });
    expect(dead.headers['dlq_error']).toContain('no sender for you');
    expect(
      (await sendGithub(`gh_${run}`, githubSecret, 'release', { action: 'published', sender: { login: 'octocat' }, release: { id: 78, name: 'v1.1', html_url: 'u' } })).status,
    ).toBe(202);
    await waitFor('the next delivery', async () => (await tenantFeed()).some((item) => item.summary === 'octocat published v1.1') || undefined, 30_000);
  });

  it('rotation: the new secret works at once and the old one during the grace period; with no grace the old one stops', async () => {
    const rotated = await call('POST', `/v2/webhook-sources/gh_${run}/rotate-secret`, { body: { graceSeconds: 3600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ previousSecrets: 1 });
    const fresh = rotated.body.secret as string;
    const release = (id: number) => ({ action: 'published', sender: { login: 'octocat' }, release: { id, name: `v${id}`, html_url: 'u' } });
    expect((await sendGithub(`gh_${run}`, fresh, 'release', release(80))).status).toBe(202);
    expect((await sendGithub(`gh_${run}`, githubSecret, 'release', release(81))).status).toBe(202);
    const final = await call('POST', `/v2/webhook-sources/gh_${run}/rotate-secret`, { body: { graceSeconds: 0 } });
    expect(final.body.previousSecrets).toBe(2);
    await waitFor('the old secrets to be refused', async () => (await sendGithub(`gh_${run}`, fresh, 'release', release(82))).status === 401 || undefined, 10_000);
    expect((await sendGithub(`gh_${run}`, final.body.secret, 'release', release(83))).status).toBe(202);
  });

  it('Standard Webhooks sources: a generated whsec_ secret (v1) and an Ed25519 public key (v1a)', async () => {
    const hmac = await call('POST', '/v2/webhook-sources', {
      body: { id: `sw_${run}`, name: 'Standard', rules: [{ name: 'any', type: '"thing.happened"', actor: 'body.who', summary: { en: 'body.who & " did a thing"' } }] },
    });
    expect(hmac.body.secret).toMatch(/^whsec_/);
    expect((await sendStandard(`sw_${run}`, (id, s, b) => signStandardWebhook(hmac.body.secret, id, s, b), { who: 'alice' })).status).toBe(202);
    const seed = `whsk_${Buffer.alloc(32, 7).toString('base64')}`;
    const ed = await call('POST', '/v2/webhook-sources', {
      body: {
        id: `ed_${run}`,
        name: 'Ed25519',
        publicKey: standardWebhookPublicKeyOf(seed),
        rules: [{ name: 'any', type: '"thing.happened"', actor: 'body.who', summary: { en: 'body.who & " signed a thing"' } }],
      },
    });
    expect(ed.status).toBe(201);
    expect(ed.body).toMatchObject({ keyType: 'ed25519' });
    expect(ed.body.secret).toBeUndefined();
    expect((await sendStandard(`ed_${run}`, (id, s, b) => signStandardWebhookEd25519(seed, id, s, b), { who: 'bob' })).status).toBe(202);
    expect((await sendStandard(`ed_${run}`, (id, s, b) => signStandardWebhook(hmac.body.secret, id, s, b), { who: 'mallory' })).status).toBe(401);
    await waitFor('both Standard Webhooks events', async () => {
      const summaries = (await tenantFeed('&limit=50')).map((item) => item.summary);
      return (summaries.includes('alice did a thing') && summaries.includes('bob signed a thing')) || undefined;
    });
  });

  it('another tenant’s admin reaches none of it: every route answers 404 and nothing changes', async () => {
    const as = { user: 'intruder', tenantId: other };
    expect((await call('GET', '/v2/webhook-sources', as)).body).toEqual([]);
    expect((await call('GET', `/v2/webhook-sources/gh_${run}`, as)).status).toBe(404);
    expect((await call('PATCH', `/v2/webhook-sources/gh_${run}`, { ...as, body: { name: 'mine now' } })).status).toBe(404);
    expect((await call('POST', `/v2/webhook-sources/gh_${run}/rotate-secret`, { ...as, body: {} })).status).toBe(404);
    expect((await call('POST', `/v2/webhook-sources/gh_${run}/dry-run`, { ...as, body: { body: {} } })).status).toBe(404);
    expect((await call('DELETE', `/v2/webhook-sources/gh_${run}`, as)).status).toBe(404);
    // The id is a public URL: it cannot be taken twice, whoever asks.
    expect((await call('POST', '/v2/webhook-sources', { ...as, body: { id: `gh_${run}`, name: 'copy' } })).body).toMatchObject({ status: 409, code: 'webhook_source_exists' });
    expect((await call('GET', `/v2/webhook-sources/gh_${run}`)).body).toMatchObject({ name: 'Team GitHub', liveSecrets: 1 });
  });

  it('a deleted source refuses deliveries', async () => {
    expect((await call('DELETE', `/v2/webhook-sources/sw_${run}`)).status).toBe(204);
    expect((await call('GET', `/v2/webhook-sources/sw_${run}`)).status).toBe(404);
    await waitFor('the gateway to forget it', async () => (await sendStandard(`sw_${run}`, () => 'v1,AAAA', { who: 'x' })).status === 404 || undefined, 10_000);
  });
});
