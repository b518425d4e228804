import { randomBytes } from 'node:crypto';
import { signHmacSha256Hex, signStandardWebhook, signStandardWebhookEd25519, standardWebhookPublicKeyOf, type IncomingWebhook } from '@activity/connector-sdk';
import { CustomWebhooks, MappingFailedError } from './custom-webhook';
import { mappingRuleViolations, type MappingRule } from './mapping-rule';
import { MappingSandbox } from './mapping-sandbox';

const PUSH_RULE: MappingRule = {
  name: 'push',
  when: 'headers."x-github-event" = "push"',
  type: '"repo.pushed"',
  actor: '{ "id": "github:" & body.sender.login, "name": body.sender.login }',
  target: '{ "id": body.repository.html_url, "name": body.repository.full_name, "type": "Repository" }',
  eventId: 'body.after',
  occurredAt: 'body.head_commit.timestamp',
  summary: {
    en: 'body.sender.login & " pushed " & $count(body.commits) & " commit" & ($count(body.commits) = 1 ? "" : "s") & " to " & body.repository.full_name',
    ru: 'body.sender.login & " отправляет коммиты (" & $count(body.commits) & ") в " & body.repository.full_name',
  },
  payload: '{ "ref": body.ref, "commits": $count(body.commits) }',
};
const RELEASE_RULE: MappingRule = {
  name: 'release',
  when: 'headers."x-github-event" = "release" and body.action = "published"',
  type: '"release.published"',
  actor: 'body.sender.login',
  object: '{ "id": body.release.html_url, "name": body.release.name }',
  eventId: '"release:" & body.release.id',
  summary: { en: 'body.sender.login & " published " & body.release.name' },
};
const PUSH = {
  ref: 'refs/heads/main',
  after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  commits: [{ id: 'a' }, { id: 'b' }],
  head_commit: { timestamp: '2026-11-27T10:00:00Z' },
  sender: { login: 'octocat' },
  repository: { full_name: 'octo/hello', html_url: 'https://github.com/octo/hello' },
};

function request(body: string, headers: Record<string, string>): IncomingWebhook {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, query: {}, body: Buffer.from(body) };
}

describe('custom webhook sources', () => {
  const sandbox = new MappingSandbox({ timeoutMs: 500, maxOutputBytes: 4_096 });
  const webhooks = new CustomWebhooks(sandbox);
  afterAll(() => sandbox.close());

  describe('signatures', () => {
    it('Standard Webhooks v1 with the official vector', () => {
      const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      const body = '{"test": 2432232314}';
      const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
      const verified = webhooks.verify(request(body, headers), [secret], new Date(1614265330_000), { signature: 'standard-webhooks' });
      expect(verified.deliveryId).toBe('msg_p5jXN8AQM9LWM0D4loKWxJek');
      expect(verified.body).toMatchObject({ body: { test: 2432232314 }, headers: { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek' } });
      // The signature itself is never handed to rules.
      expect((verified.body['headers'] as Record<string, string>)['webhook-signature']).toBeUndefined();
      expect(() => webhooks.verify(request(body.replace('2432', '2433'), headers), [secret], new Date(1614265330_000), {})).toThrow(
        expect.objectContaining({ code: 'signature_invalid' }),
      );
    });

    it('Standard Webhooks v1a (Ed25519) with a whpk_ public key; a v1 entry does not pass for it', () => {
      const seed = `whsk_${randomBytes(32).toString('base64')}`;
      const publicKey = standardWebhookPublicKeyOf(seed);
      const now = new Date();
      const seconds = Math.floor(now.getTime() / 1000);
      const body = JSON.stringify({ hello: 'world' });
      const signature = signStandardWebhookEd25519(seed, 'msg_1', seconds, body);
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(seconds), 'webhook-signature': `v1,AAAA ${signature}` };
      expect(webhooks.verify(request(body, headers), [publicKey], now, {}).deliveryId).toBe('msg_1');
      const otherKey = standardWebhookPublicKeyOf(`whsk_${randomBytes(32).toString('base64')}`);
      expect(() => webhooks.verify(request(body, headers), [otherKey], now, {})).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
      const hmacOnly = { ...headers, 'webhook-signature': signStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_1', seconds, body) };
      expect(() => webhooks.verify(request(body, hmacOnly), [publicKey], now, {})).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    });

    it('GitHub X-Hub-Signature-256 with the docs vector; X-GitHub-Delivery is the delivery id', () => {
      const secret = "It's a Secret to Everybody";
      const body = 'Hello, World!';
      expect(signHmacSha256Hex(secret, body)).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
      const json = JSON.stringify(PUSH);
      const headers = { 'x-hub-signature-256': signHmacSha256Hex(secret, json), 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-github-event': 'push' };
      const verified = webhooks.verify(request(json, headers), [secret], undefined, { signature: 'github' });
      expect(verified).toMatchObject({ deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', body: { headers: { 'x-github-event': 'push' }, body: PUSH } });
      expect(() => webhooks.verify(request(json, { ...headers, 'x-github-delivery': '' }), [secret], undefined, { signature: 'github' })).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
      expect(() => webhooks.verify(request(`${json} `, headers), [secret], undefined, { signature: 'github' })).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    });

    it("reads GitHub's form-encoded deliveries (payload=<json>)", () => {
      const secret = 'shh';
      const form = `payload=${encodeURIComponent(JSON.stringify(PUSH))}`;
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': signHmacSha256Hex(secret, form), 'x-github-delivery': 'd-1' };
      expect(webhooks.verify(request(form, headers), [secret], undefined, { signature: 'github' }).body['body']).toEqual(PUSH);
    });
  });

  describe('rule validation', () => {
    it('accepts the worked example', () => expect(mappingRuleViolations([PUSH_RULE, RELEASE_RULE])).toEqual([]));

    it('names every problem: syntax with its position, missing outputs, unknown fields, duplicate names', () => {
      const violations = mappingRuleViolations([
        { name: 'broken', type: '"x"', actor: 'body.sender.(login', summary: { en: '"hi"' } },
        { name: 'broken', type: '"x"', summary: {} },
        { name: 'Bad Name', type: '"x"', actor: 'a', summary: { en: '"x"' }, colour: 'red' },
      ]);
      expect(violations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            field: 'rules[0].actor',
            rule: 'jsonata',
            messageKey: 'validation.custom.syntax',
            params: expect.objectContaining({ position: expect.any(Number) }),
          }),
          expect.objectContaining({ field: 'rules[1].name', messageKey: 'validation.custom.ruleNameTaken' }),
          expect.objectContaining({ field: 'rules[1].actor', messageKey: 'validation.custom.required' }),
          expect.objectContaining({ field: 'rules[1].summary.en', messageKey: 'validation.custom.required' }),
          expect.objectContaining({ field: 'rules[2].name', messageKey: 'validation.custom.ruleName' }),
          expect.objectContaining({ field: 'rules[2].colour', messageKey: 'validation.custom.ruleField' }),
        ]),
      );
      expect(mappingRuleViolations('nope')).toEqual([expect.objectContaining({ messageKey: 'validation.custom.ruleList' })]);
      expect(mappingRuleViolations(Array.from({ length: 21 }, (_, i) => ({ ...RELEASE_RULE, name: `r${i}` })))).toEqual([
        expect.objectContaining({ messageKey: 'validation.custom.ruleCount' }),
      ]);
    });
  });

  describe('mapping', () => {
    const delivery = (headers: Record<string, string>, body: unknown, rules: MappingRule[] = [PUSH_RULE, RELEASE_RULE]) => ({
      tenantId: 't',
      sourceId: 'team_github',
      deliveryId: 'd-1',
      receivedAt: '2026-11-27T10:00:05Z',
      body: { headers, body },
      settings: { signature: 'github', rules },
    });

    it('maps a push: type, actor, target, time, dedupe key, EN and RU summaries', async () => {
      const [event] = await webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH));
      expect(event).toEqual({
        source: 'custom',
        sourceEventId: 'team_github:6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        type: 'custom.team_github.repo.pushed',
        externalAccountId: 'github:octocat',
        actor: { type: 'Person', id: 'github:octocat', name: 'octocat' },
        target: { type: 'Repository', id: 'https://github.com/octo/hello', name: 'octo/hello' },
        occurredAt: new Date('2026-11-27T10:00:00Z'),
        payload: {
          ref: 'refs/heads/main',
          commits: 2,
          sourceId: 'team_github',
          summary: { en: 'octocat pushed 2 commits to octo/hello', ru: 'octocat отправляет коммиты (2) в octo/hello' },
        },
      });
    });

    it('the first matching rule wins; a release uses its own rule and falls back to English for RU', async () => {
      const [event] = await webhooks.normalize(
        delivery({ 'x-github-event': 'release' }, { action: 'published', sender: { login: 'octocat' }, release: { id: 9, name: 'v1.0', html_url: 'u' } }),
      );
      expect(event).toMatchObject({ type: 'custom.team_github.release.published', sourceEventId: 'team_github:release:9', occurredAt: new Date('2026-11-27T10:00:05Z') });
      expect(event!.payload['summary']).toEqual({ en: 'octocat published v1.0', ru: 'octocat published v1.0' });
    });

    it('a delivery no rule picks maps to nothing', async () => {
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'star' }, { action: 'created' }))).resolves.toEqual([]);
    });

    it('an output that is no event fails with the rule and field named', async () => {
      const rules = [{ ...PUSH_RULE, type: '"Not A Type!"' }];
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH, rules))).rejects.toThrow(MappingFailedError);
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH, rules))).rejects.toThrow(/rule "push", type: invalid_output/);
    });

    it('a rule that loops forever is stopped by its time limit, and the next delivery maps as usual', async () => {
      const looping = [{ ...PUSH_RULE, when: '($f := function($n) { $f($n + 1) }; $f(0))' }];
      const started = Date.now();
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH, looping))).rejects.toThrow(/D101[12]/);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH))).resolves.toHaveLength(1);
    });

    it('a catastrophic regex (one synchronous step JSONata cannot interrupt) is stopped by killing the sandbox thread', async () => {
      const restarts = sandbox.restarts;
      const redos = [{ ...PUSH_RULE, when: '$contains(body.text, /^(a+)+$/)' }];
      const evil = { ...PUSH, text: `${'a'.repeat(40)}!` };
      const started = Date.now();
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, evil, redos))).rejects.toThrow(/timeout/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(sandbox.restarts).toBe(restarts + 1);
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH))).resolves.toHaveLength(1);
    });

    it('outputs beyond the size limit fail the delivery', async () => {
      // One built-in call makes the 5,000 characters: cheap enough never to meet the evaluation deadline on a busy machine.
      const huge = [{ ...PUSH_RULE, payload: '{ "blob": $pad("", 5000, "x") }' }];
      await expect(webhooks.normalize(delivery({ 'x-github-event': 'push' }, PUSH, huge))).rejects.toThrow(/output_too_large/);
    });

    it('dry run: the events, or the failing rule with the position of its error', async () => {
      const matched = await webhooks.dryRun('team_github', [PUSH_RULE], { body: PUSH, headers: { 'x-github-event': 'push' } });
      expect(matched).toMatchObject({ matched: 'push', events: [{ type: 'custom.team_github.repo.pushed' }] });
      const failed = await webhooks.dryRun('team_github', [{ ...PUSH_RULE, actor: '$undefinedFunction(body)' }], { body: PUSH, headers: { 'x-github-event': 'push' } });
      expect(failed).toMatchObject({ matched: 'push', events: [], error: { rule: 'push', field: 'actor', code: 'T1006', position: expect.any(Number) } });
      expect(await webhooks.dryRun('team_github', [PUSH_RULE], { body: {}, headers: {} })).toEqual({ matched: null, events: [] });
    });
  });
});
