// The Helm chart (deploy/helm/ucupdates) is not installed on a cluster here, so this suite is what
// keeps it honest, offline: `helm lint`, `helm template` with the default values and every values
// file in the chart's ci/ folder, every rendered object decoded strictly into the Kubernetes API
// types (tools/manifest-check: an unknown field is an error), the pool's own rules checked on the
// rendered objects, and bad values refused with a message naming them. Helm is installed into Go's
// bin directory the first time (about 7 minutes on 2 cores, once; docs/kubernetes.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildGoCommand, ensureHelm } from '../../tools/local-pool/prerequisites';
import { HEALTH_CHECK_SETTINGS } from '../../tools/local-pool/haproxy-config';

const root = resolve(__dirname, '../..');
const chart = join(root, 'deploy/helm/ucupdates');
const valuesFiles = readdirSync(join(chart, 'ci'))
  .filter((name) => name.endsWith('-values.yaml'))
  .sort();

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: any;
};

const log = (line: string): void => void process.stdout.write(`${line}\n`);
let helm: string;
let manifestCheck: string;
let workDir: string;

beforeAll(() => {
  helm = ensureHelm(log);
  workDir = mkdtempSync(join(tmpdir(), 'ucupdates-helm-'));
  manifestCheck = buildGoCommand(log, join(root, 'tools/manifest-check'), join(workDir, 'manifest-check'));
}, 30 * 60_000);

afterAll(() => {
  if (workDir) {
    rmSync(workDir, { recursive: true, force: true });
  }
});

function runTool(command: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: root, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw result.error;
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function template(args: string[]): { status: number; stdout: string; stderr: string } {
  return runTool(helm, ['template', 'ucupdates', chart, '--namespace', 'updates', ...args]);
}

function render(args: string[]): { manifest: string; objects: K8sObject[] } {
  const result = template(args);
  if (result.status !== 0) {
    throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  }
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  return { manifest: result.stdout, objects };
}

const one = (objects: K8sObject[], kind: string, name?: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toHaveLength(1);
  return found[0];
};

describe('helm lint', () => {
  it.each(['default values', ...valuesFiles])('passes with %s, strict', (file) => {
    const args = file === 'default values' ? [] : ['--values', join(chart, 'ci', file)];
    const result = runTool(helm, ['lint', '--strict', chart, ...args]);
    expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({ status: 0 });
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe.each(['default values', ...valuesFiles])('helm template with %s', (file) => {
  const args = file === 'default values' ? [] : ['--values', join(chart, 'ci', file)];
  let rendered: { manifest: string; objects: K8sObject[] };
  beforeAll(() => {
    rendered = render(args);
  });

  it('renders objects that decode strictly into the Kubernetes API types', () => {
    const result = runTool(manifestCheck, [], rendered.manifest);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`${rendered.objects.length} objects decoded strictly`);
  });

  it('runs each node as one pod: frontend and worker sharing the volume, UCU_NODE_ID the pod name', () => {
    const set = one(rendered.objects, 'StatefulSet');
    const pod = set.spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['frontend', 'worker']);
    for (const container of pod.containers) {
      expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/ucupdates' });
      expect(container.env).toContainEqual({ name: 'UCU_NODE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      const nodeUrl = container.env.find((e: any) => e.name === 'UCU_NODE_URL').value;
      expect(nodeUrl).toBe(`http://$(UCU_NODE_ID).${set.spec.serviceName}.updates.svc:8000`);
    }
    expect(set.spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['data']);
    const headless = one(rendered.objects, 'Service', set.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
  });

  it('lets a node drain before it is killed, and takes at most maxUnavailable nodes in a drain', () => {
    const pod = one(rendered.objects, 'StatefulSet').spec.template.spec;
    const frontend = pod.containers[0];
    const shutdownMs = Number(frontend.env.find((e: any) => e.name === 'UCU_SHUTDOWN_TIMEOUT_MS').value);
    const preStop = frontend.lifecycle.preStop.sleep.seconds;
    // The worker gives up 5 s after UCU_SHUTDOWN_TIMEOUT_MS (apps/worker/src/main.ts).
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + shutdownMs / 1000 + 5);
    // Traffic once the caches are loaded; then in while it answers, as HAProxy keeps a node (docs/kubernetes.md).
    expect(frontend.startupProbe.httpGet).toEqual({ path: '/readyz', port: 'internal' });
    expect(frontend.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'internal' });
    expect(frontend.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'internal' });
    // A busy pod stays in (decision 70): no sooner out than HAProxy takes a node out (three checks
    // without an answer within its `timeout check`), and restarted only after a minute of it.
    const haproxyCheckSeconds = Number.parseInt(HEALTH_CHECK_SETTINGS.timeoutCheck, 10);
    const haproxyFall = Number(/\bfall (\d+)/.exec(HEALTH_CHECK_SETTINGS.defaultServer)![1]);
    expect(frontend.readinessProbe.timeoutSeconds).toBeGreaterThanOrEqual(haproxyCheckSeconds);
    expect(frontend.readinessProbe.failureThreshold).toBeGreaterThanOrEqual(haproxyFall);
    expect(frontend.livenessProbe.timeoutSeconds).toBeGreaterThanOrEqual(frontend.readinessProbe.timeoutSeconds);
    expect(frontend.livenessProbe.periodSeconds * frontend.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(60);
    for (const container of pod.containers) {
      expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    }
    const pdb = one(rendered.objects, 'PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(one(rendered.objects, 'StatefulSet').spec.selector.matchLabels);
  });

  it('migrates in a hook Job before install and upgrade', () => {
    const job = one(rendered.objects, 'Job');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/apps/worker/apps/worker/src/migrate.js']);
  });

  it('creates no Secret and takes every secret from a Secret it references', () => {
    expect(rendered.objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = one(rendered.objects, 'StatefulSet').spec.template.spec.containers[0].env as any[];
    for (const name of ['DATABASE_URL', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']) {
      expect(env.find((e) => e.name === name)).toEqual({ name, valueFrom: { secretKeyRef: expect.any(Object) } });
    }
    expect(rendered.manifest).not.toMatch(/password|secret[_-]?key:\s*["']?[A-Za-z0-9]{8}/i);
  });
});

describe('values files', () => {
  it('external TLS through an Ingress: both listeners, the external one on TLS and its paths only (the phones\' two, DDI\'s)', () => {
    const { objects } = render(['--values', join(chart, 'ci/external-tls-ingress-values.yaml')]);
    const external = one(objects, 'Ingress', 'ucupdates-external');
    expect(external.spec.tls).toEqual([{ secretName: 'updates-contoso-tls', hosts: ['updates.contoso.com'] }]);
    expect(external.spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/RequestHandlerExt', '/DeviceUpdateFiles_Ext', '/DEFAULT/controller/v1']);
    expect(external.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'ucupdates-external', port: { name: 'http' } });
    one(objects, 'Ingress', 'ucupdates-internal');
    one(objects, 'ServiceMonitor');
  });

  it('five nodes with Sentinel and SeaweedFS: the Sentinel URL and the S3 gateway reach every container', () => {
    const { objects } = render(['--values', join(chart, 'ci/five-nodes-sentinel-seaweedfs-values.yaml')]);
    const set = one(objects, 'StatefulSet');
    expect(set.spec.replicas).toBe(5);
    const env = set.spec.template.spec.containers[1].env as any[];
    expect(env.find((e) => e.name === 'REDIS_URL').value).toMatch(/^redis\+sentinel:\/\/.+,.+\/ucupdates\/0$/);
    expect(env.find((e) => e.name === 'S3_ENDPOINT').value).toBe('http://seaweedfs-s3.storage.svc:8333');
    one(objects, 'HTTPRoute', 'ucupdates-internal');
  });

  it("the external HTTPRoute routes DDI's paths under the pool's tenant, which every container is given", () => {
    const { objects } = render(['--set', 'gateway.external.enabled=true', '--set', 'gateway.external.parentRefs[0].name=gw', '--set', 'pool.ddiTenant=Acme']);
    const route = one(objects, 'HTTPRoute', 'ucupdates-external');
    expect(route.spec.rules[0].matches.map((m: any) => m.path.value)).toEqual(['/RequestHandlerExt', '/DeviceUpdateFiles_Ext', '/Acme/controller/v1']);
    for (const container of one(objects, 'StatefulSet').spec.template.spec.containers) {
      expect(container.env).toContainEqual({ name: 'UCU_DDI_TENANT', value: 'Acme' });
    }
  });
});

describe('bad values fail helm template, naming them', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing Postgres Secret', ['--set', 'postgres.urlSecret.name='], /postgres\.urlSecret\.name is required/],
    ['a missing S3 credentials Secret', ['--set', 's3.credentialsSecret.name='], /s3\.credentialsSecret\.name is required/],
    ['no Redis at all', ['--set', 'redis.url=', '--set', 'redis.urlSecret.name='], /redis\.url or redis\.urlSecret\.name is required/],
    [
      'a grace period shorter than the drain',
      ['--set', 'terminationGracePeriodSeconds=12', '--set', 'pool.shutdownTimeoutSeconds=10'],
      /terminationGracePeriodSeconds \(12\) must exceed preStopSleepSeconds \+ pool\.shutdownTimeoutSeconds \+ 5 \(20\)/,
    ],
    ['a PDB that allows the whole pool down', ['--set', 'replicas=2', '--set', 'podDisruptionBudget.maxUnavailable=2'], /podDisruptionBudget\.maxUnavailable \(2\) must be less than replicas \(2\)/],
    ['an Ingress and a route for one listener', ['--set', 'ingress.internal.enabled=true', '--set', 'ingress.internal.hosts[0]=a.example', '--set', 'gateway.internal.enabled=true', '--set', 'gateway.internal.parentRefs[0].name=gw'], /ingress\.internal\.enabled and gateway\.internal\.enabled are both true/],
    ['an external Ingress without TLS', ['--set', 'ingress.external.enabled=true', '--set', 'ingress.external.hosts[0]=a.example'], /ingress\.external\.tls is empty/],
    // values.schema.json
    ['a misspelt key', ['--set', 'replica=3'], /additional properties 'replica' not allowed/],
    ['a missing required key', ['--set', 'postgres.urlSecret=null'], /postgres.*missing propert(y|ies) 'urlSecret'|\/postgres.*urlSecret/],
    ['an S3 endpoint that is no URL', ['--set', 's3.endpoint=seaweedfs:8333'], /\/s3\/endpoint/],
    ['a Redis URL of another scheme', ['--set', 'redis.url=http://redis:6379'], /\/redis\/url/],
    ['a wrong type', ['--set-string', 'replicas=five'], /\/replicas/],
    ['a DDI tenant that is no path segment', ['--set', 'pool.ddiTenant=a/b'], /\/pool\/ddiTenant/],
  ];
  it.each(cases)('%s', (_what, args, message) => {
    const result = template(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});

describe('manifest-check', () => {
  it('refuses an unknown field, a wrong type and an unknown kind, naming the object', () => {
    const bad = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIp: None}',
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: b}\nspec: {replicas: "three"}',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: c}',
    ].join('\n---\n');
    const result = runTool(manifestCheck, [], bad);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/v1\/Service a .*unknown field "spec.clusterIp"/);
    expect(result.stderr).toMatch(/apps\/v1\/StatefulSet b .*replicas/);
    expect(result.stderr).toMatch(/example.com\/v1\/Widget c .*no Go type is known/);
  });
});
