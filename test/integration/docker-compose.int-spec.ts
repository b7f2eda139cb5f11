// docker-compose.yml is not run on the development machines (they have no Docker engine), so this
// suite is what keeps it honest: it must be a valid Compose file, consistent with itself, with the
// HAProxy config, with the image (deploy/docker/Dockerfile) and with the configuration the apps
// validate at start-up (libs/config). Each check fails on a real inconsistency, naming it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import Ajv from 'ajv';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { configVariables, loadConfig } from '@ucupdates/config';
import { FALLBACK_SUFFIX, HEALTH_CHECK_SETTINGS } from '../../tools/local-pool/haproxy-config';

const root = resolve(__dirname, '../..');
const composePath = join(root, 'docker-compose.yml');
const schemaPath = join(root, 'test/fixtures/compose-spec.schema.json');
const envExamplePath = join(root, 'deploy/docker/compose.env.example');
const docsPath = join(root, 'docs/docker-compose.md');

/** The official haproxy image reads its configuration from here. */
const HAPROXY_CONFIG_IN_IMAGE = '/usr/local/etc/haproxy/haproxy.cfg';
/** operations.md: the load balancer's internal and external listeners. */
const INTERNAL_LB_PORT = 8080;
const EXTERNAL_LB_PORT = 8081;
/** Variables the apps read (libs/config); any other name set on an app service is a typo. */
const APP_VARIABLE = /^(UCU_|S3_|DATABASE_URL$|REDIS_URL$)/;
const SECRET_NAME = /PASSWORD|SECRET|TOKEN/;

// --- the Compose model (only what the checks read) --------------------------------------------

type Env = Record<string, string | undefined>;

interface DependsOn {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, DependsOn>;
  volumes?: (string | { type: string; source?: string; target: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { target: number | string; published?: number | string })[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  user?: string;
  configs?: (string | { source: string; target?: string })[];
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } } | null>;
  configs?: Record<string, { content?: string; file?: string }>;
}

interface Mount {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  readOnly: boolean;
}

// --- Compose variable interpolation ------------------------------------------------------------

/**
 * Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}`. A required variable
 * that is missing throws, like `docker compose` refuses to start.
 */
function interpolate(value: string, env: Env, where: string): string {
  return value.replace(/\$(?:(\$)|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_match, dollar, braced, bare) => {
    if (dollar) {
      return '$';
    }
    if (bare) {
      return env[bare] ?? '';
    }
    const expression = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(braced as string);
    if (!expression || (expression[3] ?? '').includes('${')) {
      throw new Error(`${where}: cannot interpolate "\${${braced}}"`);
    }
    const [, name, operator, argument = ''] = expression;
    const current = env[name];
    const set = current !== undefined;
    const nonEmpty = set && current !== '';
    switch (operator) {
      case undefined:
        return current ?? '';
      case ':-':
        return nonEmpty ? current : argument;
      case '-':
        return set ? current : argument;
      case ':?':
      case '?':
        if (operator === ':?' ? !nonEmpty : !set) {
          throw new Error(`${where}: required variable ${name} is missing a value: ${argument}`);
        }
        return current as string;
      case ':+':
        return nonEmpty ? argument : '';
      case '+':
        return set ? argument : '';
      default:
        throw new Error(`${where}: unknown interpolation operator in "\${${braced}}"`);
    }
  });
}

function interpolateDeep(node: unknown, env: Env, where = ''): unknown {
  if (typeof node === 'string') {
    return interpolate(node, env, where);
  }
  if (Array.isArray(node)) {
    return node.map((item, index) => interpolateDeep(item, env, `${where}[${index}]`));
  }
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolateDeep(value, env, where ? `${where}.${key}` : key)]),
    );
  }
  return node;
}

/** Every `${...}` reference in the file, with the operator it uses. */
function references(text: string): { name: string; operator: string }[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}/g)].map((match) => ({
    name: match[1],
    operator: match[2] ?? '',
  }));
}

/**
 * The operator's .env as deploy/docker/compose.env.example describes it, secrets filled in; or,
 * with `secretsOnly`, nothing but the secrets, so the file's own defaults are what is checked.
 */
function operatorEnv({ secretsOnly = false } = {}): Env {
  const env: Env = {};
  for (const line of readFileSync(envExamplePath, 'utf8').split('\n')) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (assignment && !(secretsOnly && assignment[2])) {
      // An empty value is a secret the operator must choose: a URL-safe 32-character one.
      env[assignment[1]] = assignment[2] || `${assignment[1].toLowerCase().replace(/_/g, '')}0123456789abcdef`.slice(-32);
    }
  }
  return env;
}

// --- reading services ----------------------------------------------------------------------------

function environmentOf(service: Service): Record<string, string> {
  const environment = service.environment ?? {};
  const entries = Array.isArray(environment)
    ? environment.map((item) => {
        const index = item.indexOf('=');
        return index < 0 ? [item, ''] : [item.slice(0, index), item.slice(index + 1)];
      })
    : Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

function dependenciesOf(service: Service): Record<string, DependsOn> {
  const dependsOn = service.depends_on ?? {};
  return Array.isArray(dependsOn)
    ? Object.fromEntries(dependsOn.map((name) => [name, { condition: 'service_started' as const }]))
    : dependsOn;
}

function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') {
      return {
        type: volume.type as Mount['type'],
        source: volume.source,
        target: volume.target,
        readOnly: false,
      };
    }
    const [source, target, mode] = volume.split(':');
    if (target === undefined) {
      return { type: 'volume', target: source, readOnly: false }; // anonymous volume
    }
    const bind = /^[./~]/.test(source);
    return { type: bind ? 'bind' : 'volume', source, target, readOnly: (mode ?? '').split(',').includes('ro') };
  });
}

/** The configs a service mounts: the top-level config's name and where it lands (Compose's default /<name>). */
function configsOf(service: Service): { source: string; target: string }[] {
  return (service.configs ?? []).map((config) =>
    typeof config === 'string' ? { source: config, target: `/${config}` } : { source: config.source, target: config.target ?? `/${config.source}` },
  );
}

/** A `-name=value` flag of a Go program's command line (SeaweedFS's `weed`), or undefined. */
function flagOf(command: string[], name: string): string | undefined {
  const flag = command.find((argument) => argument.startsWith(`-${name}=`));
  return flag?.slice(name.length + 2);
}

function commandOf(service: Service): string[] {
  const command = service.command ?? [];
  return typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command;
}

/** The dist/ file a `node dist/...` command runs, if that is what the service runs. */
function distEntryOf(service: Service): string | undefined {
  const [program, script] = commandOf(service);
  return program === 'node' && script?.startsWith('dist/') ? script : undefined;
}

function publishedPorts(service: Service): { published: number; target: number; hostIp?: string }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { published: Number(port.published ?? port.target), target: Number(port.target) };
    }
    const parts = String(port).split(':');
    const target = Number(parts.at(-1));
    const published = parts.length >= 2 ? Number(parts.at(-2)) : target;
    return { published, target, hostIp: parts.length === 3 ? parts[0] : undefined };
  });
}

function hasHealthcheck(service: Service): boolean {
  const test = service.healthcheck?.test;
  const first = Array.isArray(test) ? test[0] : test;
  return Boolean(first) && first !== 'NONE' && service.healthcheck?.disable !== true;
}

function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

// --- HAProxy config -------------------------------------------------------------------------------

interface HaproxySection {
  kind: string;
  name: string;
  lines: string[][];
}

function parseHaproxy(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (!line.trim()) {
      continue;
    }
    const tokens = line.trim().split(/\s+/);
    if (!/^\s/.test(line)) {
      sections.push({ kind: tokens[0], name: tokens[1] ?? '', lines: [] });
    } else {
      sections.at(-1)?.lines.push(tokens);
    }
  }
  return sections;
}

function directive(section: HaproxySection, ...keywords: string[]): string[][] {
  return section.lines.filter((tokens) => keywords.every((keyword, index) => tokens[index] === keyword));
}

function bindPort(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

// --- Dockerfile -----------------------------------------------------------------------------------

interface DockerStage {
  image: string;
  name?: string;
  instructions: { keyword: string; args: string }[];
}

function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ image: from?.[1] ?? args, name: from?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

const GLOB: Record<string, string> = { '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' };

/** A .dockerignore pattern as a regular expression over context-relative paths (and their parents). */
function ignorePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split(/(\*\*\/|\*\*|\*|\?)/)
    .map((part) => GLOB[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
    .join('');
  return new RegExp(`^${body}(?:/.*)?$`);
}

// --- the TypeScript build -------------------------------------------------------------------------

interface NestProject {
  type: string;
  root: string;
  entryFile: string;
  sourceRoot: string;
  compilerOptions?: { tsConfigPath?: string };
}

interface BuiltProject {
  name: string;
  project: NestProject;
  outDir: string;
  rootDir: string;
  fileNames: string[];
}

/** What `nest build <app>` compiles, and where to: from nest-cli.json and each app's tsconfig. */
function nestApplications(): BuiltProject[] {
  const nestCli = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as {
    projects: Record<string, NestProject>;
  };
  return Object.entries(nestCli.projects)
    .filter(([, project]) => project.type === 'application')
    .map(([name, project]) => {
      const tsconfigPath = join(root, project.compilerOptions?.tsConfigPath ?? join(project.root, 'tsconfig.app.json'));
      const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
      if (read.error) {
        throw new Error(`${tsconfigPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
      }
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfigPath), undefined, tsconfigPath);
      if (!parsed.options.outDir) {
        throw new Error(`${tsconfigPath} names no outDir`);
      }
      return {
        name,
        project,
        outDir: resolve(parsed.options.outDir),
        rootDir: resolve(parsed.options.rootDir ?? dirname(tsconfigPath)),
        fileNames: parsed.fileNames.map((file) => resolve(file)),
      };
    });
}

/** The TypeScript source that compiles to a dist/ path, and the application that compiles it. */
function sourceOf(distPath: string, applications: BuiltProject[]): { application: BuiltProject; source: string } {
  const output = resolve(root, distPath);
  const application = applications.find((candidate) => !relative(candidate.outDir, output).startsWith('..'));
  if (!application) {
    throw new Error(`${distPath} is not under the outDir of any application in nest-cli.json`);
  }
  const source = join(application.rootDir, relative(application.outDir, output)).replace(/\.js$/, '.ts');
  return { application, source };
}

// ---------------------------------------------------------------------------------------------------

const composeText = readFileSync(composePath, 'utf8');
const rawCompose = parse(composeText, { merge: true }) as ComposeFile;
const env = operatorEnv();
const compose = interpolateDeep(rawCompose, env) as ComposeFile;
const composeWithDefaults = interpolateDeep(rawCompose, operatorEnv({ secretsOnly: true })) as ComposeFile;
const services = compose.services;
const serviceNames = Object.keys(services);

const appServices = Object.entries(services).filter(([, service]) => distEntryOf(service) !== undefined);
const frontends = appServices.filter(([name]) => name.startsWith('frontend-'));
const workers = appServices.filter(([name]) => name.startsWith('worker-'));
const haproxyName = serviceNames.find((name) => (services[name].image ?? '').startsWith('haproxy'));

function service(name: string): Service {
  const found = services[name];
  if (!found) {
    throw new Error(`docker-compose.yml has no service "${name}"`);
  }
  return found;
}

function haproxyConfigPath(): string {
  const mount = mountsOf(service(haproxyName ?? 'haproxy')).find((m) => m.target === HAPROXY_CONFIG_IN_IMAGE);
  if (!mount?.source) {
    throw new Error(`the haproxy service mounts no config at ${HAPROXY_CONFIG_IN_IMAGE}`);
  }
  return resolve(root, mount.source);
}

function dockerfilePath(name: string): string {
  const build = service(name).build;
  const context = resolve(root, typeof build === 'string' ? build : (build?.context ?? '.'));
  return resolve(context, (typeof build === 'object' && build.dockerfile) || 'Dockerfile');
}

describe('docker-compose.yml', () => {
  it('is a valid Compose file by the vendored compose-spec schema', () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    // The schema is draft-07 and uses annotations Ajv does not know ("deprecated"): not strict.
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
    expect(problems).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has the pool operations.md describes: HAProxy, three node pairs, Postgres, Redis, SeaweedFS, migrations', () => {
    expect(haproxyName).toBeDefined();
    expect(frontends.length).toBeGreaterThanOrEqual(3);
    expect(workers.length).toBe(frontends.length);
    for (const name of ['postgres', 'redis', 'seaweedfs', 'migrate']) {
      expect(serviceNames).toContain(name);
    }
    expect(service('postgres').image).toMatch(/^postgres:16\b/);
    expect(service('redis').image).toMatch(/^redis:7\b/);
    // Decision 58: SeaweedFS is the S3 service, at a pinned release (a tag, never latest).
    expect(service('seaweedfs').image).toMatch(/^chrislusf\/seaweedfs:\d+\.\d+$/);
    expect(serviceNames).not.toContain('minio');
  });

  it('depends only on services that exist, waits for health only where there is a health check, has no cycle', () => {
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(dependenciesOf(svc))) {
        if (!services[dependency]) {
          problems.push(`${name} depends on "${dependency}", which is no service`);
        } else if (condition === 'service_healthy' && !hasHealthcheck(services[dependency])) {
          problems.push(`${name} waits for ${dependency} to be healthy, but ${dependency} has no health check`);
        }
      }
    }
    expect(problems).toEqual([]);

    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name) || !services[name]) {
        return;
      }
      if (visiting.has(name)) {
        throw new Error(`depends_on cycle: ${[...path, name].join(' -> ')}`);
      }
      visiting.add(name);
      for (const dependency of Object.keys(dependenciesOf(services[name]))) {
        visit(dependency, [...path, name]);
      }
      visiting.delete(name);
      done.add(name);
    };
    serviceNames.forEach((name) => visit(name, []));
  });

  it('declares every named volume it mounts, and mounts every volume it declares', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = new Set<string>();
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      for (const mount of mountsOf(svc)) {
        if (mount.type === 'volume' && mount.source) {
          used.add(mount.source);
          if (!declared.includes(mount.source)) {
            problems.push(`${name} mounts volume "${mount.source}", which is not declared under volumes:`);
          }
        }
      }
    }
    for (const volume of declared) {
      if (!used.has(volume)) {
        problems.push(`volume "${volume}" is declared but no service mounts it`);
      }
    }
    // The same for configs (SeaweedFS's identity file).
    const declaredConfigs = Object.keys(compose.configs ?? {});
    const usedConfigs = new Set(Object.entries(services).flatMap(([name, svc]) =>
      configsOf(svc).map(({ source }) => {
        if (!declaredConfigs.includes(source)) problems.push(`${name} mounts config "${source}", which is not declared under configs:`);
        return source;
      }),
    ));
    for (const config of declaredConfigs) {
      if (!usedConfigs.has(config)) problems.push(`config "${config}" is declared but no service mounts it`);
    }
    expect(problems).toEqual([]);
  });

  it('refers only to files and directories that exist (bind mounts, build contexts, Dockerfiles)', () => {
    const problems: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      for (const mount of mountsOf(svc)) {
        if (mount.type === 'bind' && mount.source && !existsSync(resolve(root, mount.source))) {
          problems.push(`${name} bind-mounts ${mount.source}, which does not exist`);
        }
      }
      if (svc.build !== undefined) {
        const build = svc.build;
        const context = resolve(root, typeof build === 'string' ? build : (build.context ?? '.'));
        if (!existsSync(context) || !statSync(context).isDirectory()) {
          problems.push(`${name} builds from context ${relative(root, context) || '.'}, which is no directory`);
        }
        const dockerfile = dockerfilePath(name);
        if (!existsSync(dockerfile)) {
          problems.push(`${name} builds ${relative(root, dockerfile)}, which does not exist`);
        } else if (!existsSync(`${dockerfile}.dockerignore`) && !existsSync(join(context, '.dockerignore'))) {
          problems.push(`${relative(root, dockerfile)} has no ${basename(dockerfile)}.dockerignore beside it`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('takes every secret from the operator environment, required, never with a default', () => {
    const problems: string[] = [];
    for (const { name, operator } of references(composeText)) {
      if (SECRET_NAME.test(name) && operator !== ':?') {
        problems.push(`\${${name}${operator}...} must be \${${name}:?...}: a secret has no default`);
      }
    }
    for (const [name, svc] of Object.entries(rawCompose.services)) {
      for (const [variable, value] of Object.entries(environmentOf(svc))) {
        if (SECRET_NAME.test(variable) && !value.includes('${')) {
          problems.push(`${name} sets ${variable} literally; it must come from the environment`);
        }
      }
    }
    expect(problems).toEqual([]);
    // And without them `docker compose` refuses to start.
    expect(() => interpolateDeep(rawCompose, {})).toThrow(/required variable/);
  });

  it('lists every variable the operator must set in the .env example and the documentation', () => {
    const required = [...new Set(references(composeText).filter((r) => r.operator === ':?').map((r) => r.name))];
    expect(required.length).toBeGreaterThan(0);
    const example = readFileSync(envExamplePath, 'utf8');
    const docs = readFileSync(docsPath, 'utf8');
    for (const name of required) {
      expect({ name, inExample: new RegExp(`^${name}=`, 'm').test(example), inDocs: docs.includes(name) }).toEqual({
        name,
        inExample: true,
        inDocs: true,
      });
    }
  });

  it('health-checks Postgres, Redis, SeaweedFS and every frontend, and starts no node before them and the migrations', () => {
    for (const name of ['postgres', 'redis', 'seaweedfs', ...frontends.map(([n]) => n)]) {
      expect({ name, healthcheck: hasHealthcheck(service(name)) }).toEqual({ name, healthcheck: true });
    }
    for (const [name, svc] of appServices) {
      const dependencies = dependenciesOf(svc);
      const expected: Record<string, DependsOn['condition']> =
        name === 'migrate' ? { postgres: 'service_healthy' } : {
            postgres: 'service_healthy',
            redis: 'service_healthy',
            seaweedfs: 'service_healthy',
            migrate: 'service_completed_successfully',
          };
      for (const [dependency, condition] of Object.entries(expected)) {
        expect({ name, dependency, condition: dependencies[dependency]?.condition }).toEqual({ name, dependency, condition });
      }
    }
  });

  it('runs Redis as BullMQ needs it: AOF on, noeviction', () => {
    const command = commandOf(service('redis')).join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    expect(mountsOf(service('redis')).some((m) => m.type === 'volume' && m.target === '/data')).toBe(true);
  });

  it('creates the bucket the apps use in the migration step, once SeaweedFS is healthy', () => {
    const buckets = new Set(appServices.map(([, svc]) => environmentOf(svc).S3_BUCKET));
    expect(buckets.size).toBe(1);
    const migrate = services.migrate;
    expect(commandOf(migrate).at(-1)).toBe('dist/apps/worker/apps/worker/src/migrate.js');
    expect(environmentOf(migrate).S3_BUCKET).toBe([...buckets][0]);
    expect(migrate.depends_on).toMatchObject({ seaweedfs: { condition: 'service_healthy' } });
  });

  describe('seaweedfs', () => {
    const weed = () => service('seaweedfs');
    const command = () => commandOf(weed());
    /** Its four listeners from its command line; `weed server`'s defaults where a flag is absent. */
    const listeners = () => ({
      master: Number(flagOf(command(), 'master.port') ?? 9333),
      volume: Number(flagOf(command(), 'volume.port') ?? 8080),
      filer: Number(flagOf(command(), 'filer.port') ?? 8888),
      s3: Number(flagOf(command(), 's3.port') ?? 8333),
    });

    it('runs one `weed server` with its S3 gateway, reachable from the pool network, its data in a volume', () => {
      expect(command()[0]).toBe('server');
      expect(command()).toContain('-s3');
      expect(flagOf(command(), 'ip.bind')).toBe('0.0.0.0');
      // The address it tells its own parts (and clients) to use: its name on the pool network.
      expect(flagOf(command(), 'ip')).toBe('seaweedfs');
      // The image's entrypoint passes -dir=/data to `weed server`.
      expect(mountsOf(weed()).some((m) => m.type === 'volume' && m.target === '/data')).toBe(true);
      expect(weed().ports ?? []).toEqual([]);
    });

    it('has four listeners and their gRPC ports (+10000) all distinct', () => {
      const ports = Object.values(listeners());
      const all = [...ports, ...ports.map((port) => port + 10_000)];
      expect(new Set(all).size).toBe(all.length);
    });

    it("is where every app's S3_ENDPOINT points, and is health-checked on its S3 gateway", () => {
      for (const [name, svc] of appServices) {
        const endpoint = new URL(loadConfig(environmentOf(svc)).S3_ENDPOINT);
        expect({ name, host: endpoint.hostname, port: Number(endpoint.port) }).toEqual({ name, host: 'seaweedfs', port: listeners().s3 });
      }
      expect(healthcheckCommand(weed())).toContain(`http://127.0.0.1:${listeners().s3}/healthz`);
    });

    it.each([
      ['the .env example', compose],
      ["only the secrets (the file's defaults)", composeWithDefaults],
    ])("mounts an identity file at -s3.config holding the apps' S3 keys, with %s", (_env, model) => {
      const file = flagOf(commandOf((model as ComposeFile).services.seaweedfs), 's3.config');
      const mounted = configsOf((model as ComposeFile).services.seaweedfs).find(({ target }) => target === file);
      expect(mounted).toBeDefined();
      const content = (model as ComposeFile).configs?.[mounted!.source]?.content ?? '';
      const identities = (JSON.parse(content) as { identities: { credentials: { accessKey: string; secretKey: string }[]; actions: string[] }[] }).identities;
      for (const [name, svc] of appServices) {
        const config = loadConfig(environmentOf(svc));
        const identity = identities.find((candidate) =>
          candidate.credentials.some((key) => key.accessKey === config.S3_ACCESS_KEY && key.secretKey === config.S3_SECRET_KEY),
        );
        // What the apps do with it: create the bucket (migrate), read, write, list and delete objects.
        expect({ name, actions: identity?.actions }).toEqual({ name, actions: expect.arrayContaining(['Admin', 'Read', 'Write', 'List']) });
      }
    });
  });

  describe('app services', () => {
    it('set only variables the apps read', () => {
      const known = new Set(configVariables);
      const unknown = appServices.flatMap(([name, svc]) =>
        Object.keys(environmentOf(svc))
          .filter((variable) => APP_VARIABLE.test(variable) && !known.has(variable))
          .map((variable) => `${name}: ${variable}`),
      );
      expect(unknown).toEqual([]);
    });

    it.each(
      appServices.flatMap(([name]) => [
        [name, 'the .env example', compose],
        [name, "only the secrets (the file's defaults)", composeWithDefaults],
      ]),
    )('%s has a configuration that loadConfig accepts, with %s', (name, _env, model) => {
      expect(() => {
        try {
          loadConfig(environmentOf((model as ComposeFile).services[name as string]));
        } catch (error) {
          throw new Error(`${name}: ${(error as Error).message}`);
        }
      }).not.toThrow();
    });

    it('pair frontend-N with worker-N: one node id, one node URL, one replica volume at UCU_REPLICA_DIR, one audit journal volume at UCU_AUDIT_JOURNAL_DIR', () => {
      const nodeIds = new Set<string>();
      const replicaVolumes = new Set<string>();
      for (const [frontendName, frontend] of frontends) {
        const workerName = frontendName.replace(/^frontend-/, 'worker-');
        const worker = service(workerName);
        const node = (svc: Service, name: string) => {
          const config = loadConfig(environmentOf(svc));
          const replica = mountsOf(svc).find((m) => m.target === config.UCU_REPLICA_DIR);
          if (replica?.type !== 'volume' || !replica.source) {
            throw new Error(`${name} mounts no named volume at UCU_REPLICA_DIR (${config.UCU_REPLICA_DIR})`);
          }
          if (replica.readOnly && name.startsWith('worker-')) {
            throw new Error(`${name} mounts its replica store read-only; the worker writes it`);
          }
          // The worker ships (renames, removes) the journal of a frontend that died (decision 74).
          const journal = mountsOf(svc).find((m) => m.target === config.UCU_AUDIT_JOURNAL_DIR);
          if (journal?.type !== 'volume' || !journal.source || journal.readOnly) {
            throw new Error(`${name} mounts no writable named volume at UCU_AUDIT_JOURNAL_DIR (${config.UCU_AUDIT_JOURNAL_DIR})`);
          }
          return { nodeId: config.UCU_NODE_ID, nodeUrl: config.UCU_NODE_URL, replica: replica.source, journal: journal.source };
        };
        const f = node(frontend, frontendName);
        const w = node(worker, workerName);
        expect({ pair: `${frontendName}/${workerName}`, ...w }).toEqual({ pair: `${frontendName}/${workerName}`, ...f });
        expect(nodeIds.has(f.nodeId)).toBe(false);
        expect(replicaVolumes.has(f.replica)).toBe(false);
        nodeIds.add(f.nodeId);
        replicaVolumes.add(f.replica);
        if (f.nodeUrl) {
          expect(new URL(f.nodeUrl).hostname).toBe(frontendName);
        }
      }
      const pairedWorkers = frontends.map(([name]) => name.replace(/^frontend-/, 'worker-'));
      expect(workers.map(([name]) => name).sort()).toEqual(pairedWorkers.sort());
    });

    it('trust X-Forwarded-* from HAProxy, at its fixed address on the pool network, and from nothing else', () => {
      const haproxy = service(haproxyName as string);
      const networks = haproxy.networks && !Array.isArray(haproxy.networks) ? haproxy.networks : {};
      const [networkName, attachment] = Object.entries(networks)[0] ?? [];
      const address = attachment?.ipv4_address;
      expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const subnet = compose.networks?.[networkName as string]?.ipam?.config?.[0]?.subnet ?? '';
      expect(inSubnet(address as string, subnet)).toBe(true);
      for (const [name, svc] of appServices) {
        expect({ name, trusted: loadConfig(environmentOf(svc)).UCU_TRUSTED_PROXIES }).toEqual({ name, trusted: [address] });
      }
    });

    it('health-check each frontend on its own internal port', () => {
      for (const [name, svc] of frontends) {
        const port = loadConfig(environmentOf(svc)).UCU_INTERNAL_PORT;
        expect({ name, check: healthcheckCommand(svc) }).toEqual({
          name,
          check: expect.stringContaining(`http://127.0.0.1:${port}/healthz`),
        });
      }
    });
  });
});

describe('deploy/haproxy/haproxy.compose.cfg', () => {
  // Read in beforeAll: a missing file fails these checks, not the collection of the whole suite.
  let sections: HaproxySection[] = [];
  beforeAll(() => {
    sections = parseHaproxy(readFileSync(haproxyConfigPath(), 'utf8'));
  });
  const section = (kind: string, name: string) => {
    const found = sections.find((s) => s.kind === kind && s.name === name);
    if (!found) {
      throw new Error(`HAProxy config has no ${kind} ${name}`);
    }
    return found;
  };
  const haproxy = () => service(haproxyName as string);

  /** The HAProxy frontend bound to the container port that compose publishes as `hostPort`. */
  const listenerPublishedAs = (hostPort: number) => {
    const published = publishedPorts(haproxy()).find((p) => p.published === hostPort && p.hostIp === undefined);
    if (!published) {
      throw new Error(`the haproxy service does not publish port ${hostPort} on all interfaces`);
    }
    const listener = sections.find(
      (s) => s.kind === 'frontend' && directive(s, 'bind').some((tokens) => bindPort(tokens[1]) === published.target),
    );
    if (!listener) {
      throw new Error(`no HAProxy frontend binds port ${published.target} (published as ${hostPort})`);
    }
    return listener;
  };

  /** The backend's checked servers; the unchecked `backup` twins (fail open, decision 70) are `fallbacksOf`. */
  const serversOf = (listener: HaproxySection) => {
    const backendName = directive(listener, 'default_backend')[0]?.[1];
    const servers = directive(section('backend', backendName), 'server').filter((tokens) => !tokens.includes('backup'));
    return servers.map(([, name, address, ...settings]) => {
      const port = Number(address.slice(address.lastIndexOf(':') + 1));
      const checkPort = settings.includes('port') ? Number(settings[settings.indexOf('port') + 1]) : port;
      return { name, host: address.slice(0, address.lastIndexOf(':')), port, checkPort };
    });
  };

  it.each([
    ['internal', INTERNAL_LB_PORT, 'UCU_INTERNAL_PORT' as const],
    ['external', EXTERNAL_LB_PORT, 'UCU_EXTERNAL_PORT' as const],
  ])('sends the %s listener (:%d) to every frontend at its %s, checked on its internal port', (_kind, hostPort, portVariable) => {
    const servers = serversOf(listenerPublishedAs(hostPort));
    const expected = frontends.map(([name, svc]) => {
      const config = loadConfig(environmentOf(svc));
      // /healthz is served on the internal listener; the external one has the phone routes only.
      return { name, host: name, port: config[portVariable], checkPort: config.UCU_INTERNAL_PORT };
    });
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(servers.sort(byName)).toEqual(expected.sort(byName));
  });

  it('terminates TLS on the external listener with the certificate the certs service writes', () => {
    const bind = directive(listenerPublishedAs(EXTERNAL_LB_PORT), 'bind')[0];
    expect(bind).toContain('ssl');
    const crt = bind[bind.indexOf('crt') + 1];
    expect(crt).toMatch(/^\//);
    const certVolume = mountsOf(haproxy()).find((m) => m.type === 'volume' && dirname(crt) === m.target);
    expect(certVolume).toBeDefined();
    const writer = Object.entries(services).find(([, svc]) => environmentOf(svc).CERT_FILE !== undefined);
    expect(writer).toBeDefined();
    const [writerName, writerService] = writer as [string, Service];
    const certFile = environmentOf(writerService).CERT_FILE;
    const writerMount = mountsOf(writerService).find((m) => m.target === posix.dirname(certFile));
    expect({ writer: writerName, volume: writerMount?.source, file: basename(certFile) }).toEqual({
      writer: writerName,
      volume: certVolume?.source,
      file: basename(crt),
    });
    expect(dependenciesOf(haproxy())[writerName]?.condition).toBe('service_completed_successfully');
    expect(directive(listenerPublishedAs(INTERNAL_LB_PORT), 'bind')[0]).not.toContain('ssl');
  });

  it('publishes the internal listener for phones on 80 (plain HTTP) and 443 (TLS with the internal certificate)', () => {
    const internal = listenerPublishedAs(INTERNAL_LB_PORT);
    expect(listenerPublishedAs(80).name).toBe(internal.name);
    expect(listenerPublishedAs(443).name).toBe(internal.name);
    const port443 = publishedPorts(haproxy()).find((p) => p.published === 443)!.target;
    const tls = directive(internal, 'bind').find((tokens) => bindPort(tokens[1]) === port443)!;
    expect(tls).toContain('ssl');
    const plain = directive(internal, 'bind').find((tokens) => bindPort(tokens[1]) === publishedPorts(haproxy()).find((p) => p.published === 80)!.target)!;
    expect(plain).not.toContain('ssl');
    // The application hears which one the phone used.
    expect(directive(internal, 'http-request', 'set-header', 'X-Forwarded-Proto')).toEqual([
      ['http-request', 'set-header', 'X-Forwarded-Proto', '%[ssl_fc,iif(https,http)]'],
    ]);
    // Its certificate is written into the volume HAProxy reads by a one-shot service HAProxy waits for.
    const crt = tls[tls.indexOf('crt') + 1];
    const certVolume = mountsOf(haproxy()).find((m) => m.type === 'volume' && dirname(crt) === m.target);
    const writer = Object.entries(services).find(([, svc]) => basename(environmentOf(svc).CERT_FILE ?? '') === basename(crt));
    expect(writer).toBeDefined();
    const [writerName, writerService] = writer as [string, Service];
    expect(mountsOf(writerService).find((m) => m.target === posix.dirname(environmentOf(writerService).CERT_FILE))?.source).toBe(certVolume?.source);
    expect(dependenciesOf(haproxy())[writerName]?.condition).toBe('service_completed_successfully');
  });

  it('makes the internal certificate for UCUpdates-R2 and UCUpdates-R2.<domain> besides the pool name (deploy/docker/ensure-cert.sh, run)', () => {
    if (spawnSync('openssl', ['version']).error) {
      console.warn('openssl is not installed: skipping the certificate helper run');
      return;
    }
    const tls = directive(listenerPublishedAs(INTERNAL_LB_PORT), 'bind').find((tokens) => tokens.includes('ssl'))!;
    const crt = tls[tls.indexOf('crt') + 1];
    const [, writer] = Object.entries(services).find(([, svc]) => basename(environmentOf(svc).CERT_FILE ?? '') === basename(crt))!;
    const dir = mkdtempSync(join(tmpdir(), 'ucupdates-cert-'));
    try {
      const { CERT_OWNER: _owner, ...environment } = environmentOf(writer);
      const pem = join(dir, 'internal.pem');
      const made = spawnSync('sh', [join(root, 'deploy', 'docker', 'ensure-cert.sh')], {
        env: { PATH: process.env.PATH, ...environment, CERT_FILE: pem },
        encoding: 'utf8',
      });
      expect({ status: made.status, stderr: made.stderr }).toEqual({ status: 0, stderr: '' });
      const names = spawnSync('openssl', ['x509', '-in', pem, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' }).stdout;
      const sans = names.split('\n')[1].trim().split(/,\s*/);
      expect(sans).toEqual(
        expect.arrayContaining(['DNS:UCUpdates-R2', `DNS:UCUpdates-R2.${env.UCU_PHONE_DNS_DOMAIN}`, `DNS:${env.UCU_POOL_FQDN}`, 'DNS:localhost']),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has every checked frontend again as an unchecked backup, all used only while every checked one is down', () => {
    for (const hostPort of [INTERNAL_LB_PORT, EXTERNAL_LB_PORT]) {
      const listener = listenerPublishedAs(hostPort);
      const backend = section('backend', directive(listener, 'default_backend')[0][1]);
      const fallbacks = directive(backend, 'server').filter((tokens) => tokens.includes('backup'));
      expect(fallbacks.map(([, name, address, ...settings]) => ({ name, address, settings }))).toEqual(
        directive(backend, 'server')
          .filter((tokens) => !tokens.includes('backup'))
          .map(([, name, address]) => ({ name: `${name}${FALLBACK_SUFFIX}`, address, settings: ['backup', 'no-check'] })),
      );
      expect(directive(backend, 'option', 'allbackups')).toHaveLength(1);
    }
  });

  it('checks GET /healthz every second and retries a failed request on another frontend', () => {
    const defaults = section('defaults', '');
    const flat = (s: HaproxySection) => s.lines.map((tokens) => tokens.join(' '));
    expect(flat(defaults)).toEqual(
      expect.arrayContaining([
        'balance roundrobin',
        'retries 3',
        'option redispatch 1',
        'retry-on conn-failure empty-response response-timeout',
        'option forwardfor',
      ]),
    );
    // The local pool's health settings, word for word (decision 70).
    expect(flat(defaults)).toContain(`timeout check ${HEALTH_CHECK_SETTINGS.timeoutCheck}`);
    const defaultServer = flat(defaults).find((line) => line.startsWith('default-server')) ?? '';
    for (const setting of ['check', HEALTH_CHECK_SETTINGS.defaultServer, 'init-addr last,libc,none', 'resolvers docker']) {
      expect(defaultServer).toContain(setting);
    }
    expect(flat(defaults)).not.toContain('option http-buffer-request');
    for (const hostPort of [INTERNAL_LB_PORT, EXTERNAL_LB_PORT]) {
      const listener = listenerPublishedAs(hostPort);
      const backend = section('backend', directive(listener, 'default_backend')[0][1]);
      expect(flat(backend)).toEqual(expect.arrayContaining(['option httpchk', 'http-check expect status 200']));
      expect(flat(backend).find((line) => line.startsWith('http-check send'))).toContain('uri /healthz');
      for (const header of ['X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Request-Id']) {
        expect(directive(listener, 'http-request', 'set-header', header)).toHaveLength(1);
      }
    }
    expect(sections.find((s) => s.kind === 'resolvers' && s.name === 'docker')?.lines).toContainEqual(['parse-resolv-conf']);
  });

  it('publishes the statistics page on the loopback interface only', () => {
    const stats = sections.find((s) => s.kind !== 'defaults' && directive(s, 'stats', 'enable').length > 0);
    expect(stats).toBeDefined();
    const port = bindPort(directive(stats as HaproxySection, 'bind')[0][1]);
    const published = publishedPorts(haproxy()).filter((p) => p.target === port);
    expect(published.map((p) => p.hostIp)).toEqual(['127.0.0.1']);
  });

  it('is accepted by `haproxy -c`', () => {
    if (spawnSync('haproxy', ['-v']).error) {
      console.warn('haproxy is not installed: skipping `haproxy -c` on deploy/haproxy/haproxy.compose.cfg');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'ucupdates-haproxy-'));
    try {
      // The certificate only exists inside the compose volume: check against a throwaway one.
      const pem = join(dir, 'throwaway.pem');
      const made = spawnSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', pem, '-out', pem],
        { encoding: 'utf8' },
      );
      if (made.error || made.status !== 0) {
        throw new Error(`openssl could not make the throwaway certificate for the check: ${made.error?.message ?? made.stderr}`);
      }
      // openssl wrote the key then the certificate into one file; HAProxy accepts either order.
      const config = readFileSync(haproxyConfigPath(), 'utf8').replace(/(\bcrt\s+)\S+/g, `$1${pem}`);
      const configFile = join(dir, 'haproxy.cfg');
      writeFileSync(configFile, config);
      const check = spawnSync('haproxy', ['-c', '-f', configFile], { encoding: 'utf8' });
      const output = `${check.stdout}${check.stderr}`;
      expect({ status: check.status, output }).toEqual({
        status: 0,
        output: expect.stringContaining('Configuration file is valid'),
      });
      // The frontends' names only resolve inside the compose network; any other warning is a fault.
      const warnings = output
        .split('\n')
        .filter((line) => line.includes('[WARNING]') && !/could not resolve address '[^']+', disabling server/.test(line));
      expect(warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/docker/Dockerfile', () => {
  const builtServices = appServices.map(([name]) => name);
  const dockerfile = dockerfilePath(builtServices[0] ?? 'migrate');
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const runtime = stages[stages.length - 1];
  const runtimeArgs = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('is the image of every app service', () => {
    for (const name of builtServices) {
      expect({ name, dockerfile: dockerfilePath(name) }).toEqual({ name, dockerfile });
    }
    const images = new Set(appServices.map(([, svc]) => svc.image));
    expect(images.size).toBe(1);
  });

  it('builds in one stage and runs a Node 24 image in another, production only, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.image).toMatch(/^node:24(?:[.-]|$)/);
    expect(runtimeArgs('ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(runtimeArgs('RUN').some((args) => /\bnpm ci\b.*--omit=dev/.test(args))).toBe(true);
    expect(runtimeArgs('COPY').some((args) => /--from=\S+.*\bdist\b/.test(args))).toBe(true);
    const user = runtimeArgs('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const build = stages.find((stage) => stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args)));
    expect(build).toBeDefined();
  });

  it('copies only files that exist and that the .dockerignore lets into the context', () => {
    const ignore = readFileSync(`${dockerfile}.dockerignore`, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
    for (const required of ['node_modules', 'dist', '.pool', '.git']) {
      expect(ignore).toContain(required);
    }
    const patterns = ignore.map(ignorePattern);
    const problems: string[] = [];
    for (const stage of stages) {
      for (const { keyword, args } of stage.instructions) {
        if ((keyword !== 'COPY' && keyword !== 'ADD') || /--from=/.test(args)) {
          continue;
        }
        const sources = args.split(/\s+/).filter((token) => !token.startsWith('--')).slice(0, -1);
        for (const source of sources) {
          const path = posix.normalize(source).replace(/^\.\/|\/$/g, '');
          if (!existsSync(join(root, path))) {
            problems.push(`COPY ${source}: not in the repository`);
          } else if (patterns.some((pattern) => pattern.test(path))) {
            problems.push(`COPY ${source}: excluded by ${relative(root, dockerfile)}.dockerignore`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('starts files the build produces: each command maps to a TypeScript source the app build compiles', () => {
    const applications = nestApplications();
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const cmd = JSON.parse(runtimeArgs('CMD').at(-1) ?? '[]') as string[];
    const commands: [string, string][] = [
      ['Dockerfile CMD', cmd[1]],
      ...appServices.map(([name, svc]) => [name, distEntryOf(svc) as string] as [string, string]),
    ];
    for (const [who, distPath] of commands) {
      const { application, source } = sourceOf(distPath, applications);
      expect({ who, distPath, source: relative(root, source), exists: existsSync(source) }).toEqual({
        who,
        distPath,
        source: relative(root, source),
        exists: true,
      });
      expect({ who, compiled: application.fileNames.includes(source) }).toEqual({ who, compiled: true });
      expect({ who, build: packageJson.scripts.build }).toEqual({
        who,
        build: expect.stringMatching(new RegExp(`\\bnest build ${application.name}\\b`)),
      });
    }
    // Frontends and workers run their application's entry file; the default CMD is the frontend.
    const entry = (name: string) => {
      const application = applications.find((a) => a.name === name) as BuiltProject;
      return join(root, application.project.sourceRoot, `${application.project.entryFile}.ts`);
    };
    for (const [name, svc] of [...frontends, ...workers]) {
      const appName = name.startsWith('frontend-') ? 'frontend' : 'worker';
      expect({ name, source: relative(root, sourceOf(distEntryOf(svc) as string, applications).source) }).toEqual({
        name,
        source: relative(root, entry(appName)),
      });
    }
    expect(relative(root, sourceOf(cmd[1], applications).source)).toBe(relative(root, entry('frontend')));
    expect(relative(root, sourceOf(distEntryOf(service('migrate')) as string, applications).source)).toBe(
      'apps/worker/src/migrate.ts',
    );
  });
});

function inSubnet(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const toNumber = (ip: string) => ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(network) / size);
}
