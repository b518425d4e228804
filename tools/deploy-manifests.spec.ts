import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const K8S = path.join(process.cwd(), 'deploy/k8s/base');
const APPS = ['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay'];

interface Container {
  command: string[];
  ports: Array<{ containerPort: number }>;
  env: Array<{ name: string; value: string }>;
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

function manifests(): Manifest[] {
  return readdirSync(K8S)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((document) => {
        if (document.errors.length) throw new Error(`${file}: ${document.errors[0]!.message}`);
        return document.toJS() as Manifest;
      }),
    );
}

/** kubeconform is not available offline; this checks what a broken manifest would most likely get wrong. */
describe('deploy/k8s', () => {
  const all = manifests();
  const find = (kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata?.name === name);

  it('every manifest parses and has apiVersion, kind and a name', () => {
    for (const manifest of all) {
      expect(manifest.apiVersion).toMatch(/^[a-z0-9./]+$/);
      expect(manifest.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(manifest.metadata?.name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('kustomization lists every file', () => {
    const kustomization = parseAllDocuments(readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(
      readdirSync(K8S)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });

  it.each(APPS)('%s has a Deployment with probes on the health endpoints, resources, a Service and a PodDisruptionBudget', (app) => {
    const deployment = find('Deployment', app) as Manifest & {
      spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<Container> } } };
    };
    expect(deployment).toBeDefined();
    const { selector, template } = deployment.spec;
    for (const [key, value] of Object.entries(selector.matchLabels)) expect(template.metadata.labels[key]).toBe(value);
    const [container] = template.spec.containers;
    expect(container!.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    expect(container!.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container!.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container!.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container!.resources.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    const port = container!.ports[0]!.containerPort;
    expect(container!.env).toContainEqual({ name: 'PORT', value: String(port) });
    expect((find('Service', app) as Manifest & { spec: { selector: Record<string, string> } }).spec.selector).toEqual(selector.matchLabels);
    expect(find('PodDisruptionBudget', app)).toBeDefined();
  });

  it('scales connector-workers and migrates with a Job', () => {
    const hpa = find('HorizontalPodAutoscaler', 'connector-workers') as Manifest & { spec: { scaleTargetRef: { name: string }; maxReplicas: number } };
    expect(hpa.spec.scaleTargetRef.name).toBe('connector-workers');
    const job = find('Job', 'activity-migrate') as Manifest & { spec: { template: { spec: { containers: Array<{ command: string[] }> } } } };
    expect(job.spec.template.spec.containers[0]!.command.join(' ')).toContain('cli/migrate.js');
  });
});

describe('deploy/prometheus', () => {
  const promtool = (...args: string[]) => {
    try {
      return execFileSync('promtool', args, { cwd: path.join(process.cwd(), 'deploy/prometheus'), encoding: 'utf8' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('promtool is not installed (Debian package prometheus); .ci/run installs it');
      throw new Error(`promtool ${args.join(' ')} failed:\n${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`);
    }
  };

  it('promtool accepts the rules and the scrape config', () => {
    expect(promtool('check', 'rules', 'rules.yml')).toMatch(/SUCCESS: \d+ rules found/);
    expect(promtool('check', 'config', 'prometheus.yml')).toMatch(/SUCCESS/);
  });

  it('promtool rule unit tests fire every alert', () => {
    expect(promtool('test', 'rules', 'tests/rules.test.yml')).toContain('SUCCESS');
    const alerts = [...readFileSync('deploy/prometheus/rules.yml', 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tested = new Set([...readFileSync('deploy/prometheus/tests/rules.test.yml', 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alerts.filter((alert) => !tested.has(alert))).toEqual([]);
  });
});

describe('kubectl kustomize deploy/k8s/base', () => {
  it('renders, and the rendering holds every manifest of the directory', () => {
    const rendered = parseAllDocuments(execFileSync('kubectl', ['kustomize', K8S], { encoding: 'utf8' })).map((document) => document.toJS() as Manifest);
    const names = (list: Manifest[]) => list.map((m) => `${m.kind}/${m.metadata?.name}`).sort();
    expect(names(rendered)).toEqual(names(manifests()));
    expect(rendered.every((m) => m.apiVersion && m.kind)).toBe(true);
  });
});
