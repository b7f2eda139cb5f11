import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { RequestMethod } from '@nestjs/common';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@ucupdates/config';
import { Role } from '@ucupdates/database';
import { createLogger, Metrics } from '@ucupdates/observability';
import { ObjectStorage } from '@ucupdates/storage';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from '../../apps/frontend/src/auth/roles';
import { createFrontend, type Frontend } from '../../apps/frontend/src/frontend';
import { DownloadTokens } from '../../apps/frontend/src/devices/lync/download-tokens';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { CatalogSeed } from '../support/catalog-seed';
import { prepareServices } from '../support/harness';
import { ROOT, suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = `security-admin-${randomBytes(12).toString('hex')}`;

/** hawkBit DDI's device routes (docs/ddi.md): no admin token, each checks its own target, gateway or anonymous-internal token. */
const DDI_ROUTES = [
  'GET /:tenant/controller/v1/:controllerId',
  'GET /:tenant/controller/v1/:controllerId/cancelAction/:actionId',
  'GET /:tenant/controller/v1/:controllerId/deploymentBase/:actionId',
  'GET /:tenant/controller/v1/:controllerId/installedBase/:actionId',
  'GET /:tenant/controller/v1/:controllerId/softwaremodules/:moduleId/artifacts/:fileName',
  'HEAD /:tenant/controller/v1/:controllerId',
  'HEAD /:tenant/controller/v1/:controllerId/cancelAction/:actionId',
  'HEAD /:tenant/controller/v1/:controllerId/deploymentBase/:actionId',
  'HEAD /:tenant/controller/v1/:controllerId/installedBase/:actionId',
  'HEAD /:tenant/controller/v1/:controllerId/softwaremodules/:moduleId/artifacts/:fileName',
  'POST /:tenant/controller/v1/:controllerId/cancelAction/:actionId/feedback',
  'POST /:tenant/controller/v1/:controllerId/deploymentBase/:actionId/feedback',
  'PUT /:tenant/controller/v1/:controllerId/configData',
];

/** The external listener's routes: the phone protocol's three external endpoints and DDI's device routes, nothing else. */
const EXTERNAL_ROUTES = [
  ...DDI_ROUTES,
  'GET /DeviceUpdateFiles_Ext/*',
  'GET /RequestHandlerExt/Files/*',
  'HEAD /DeviceUpdateFiles_Ext/*',
  'HEAD /RequestHandlerExt/Files/*',
  'POST /RequestHandlerExt/ucdevice.upx',
  'PUT /RequestHandlerExt/Logs/:logType/:fileName',
];

/**
 * Nest routes answered without a token. Adding one here is a conscious decision: everything else
 * on the internal listener needs a token (decision 6).
 */
const PUBLIC_NEST_ROUTES = [
  ...DDI_ROUTES,
  'GET /DeviceUpdateFiles_Int/*',
  'GET /RequestHandler/Files/*',
  'GET /api/docs',
  'GET /api/docs/:asset',
  'GET /healthz',
  'GET /metrics',
  'GET /readyz',
  'HEAD /DeviceUpdateFiles_Int/*',
  'HEAD /RequestHandler/Files/*',
  'POST /api/v1/session',
  'PUT /RequestHandler/Logs/:logType/:fileName',
];

/**
 * Plain Fastify routes of the internal listener (no Nest guard): public by design, listed so a new
 * one is seen. The update check is one (UpdateCheckRoutes: the hot path, anonymous as on Lync).
 */
const NON_NEST_ROUTES = [
  'GET /api/docs-json', 'GET /cp', 'GET /cp/', 'GET /cp/assets/:name', 'HEAD /api/docs-json', 'HEAD /cp', 'HEAD /cp/', 'HEAD /cp/assets/:name',
  'POST /RequestHandler/ucdevice.upx',
];

const lower = (routes: string[]) => routes.map((route) => route.toLowerCase()).sort();

/**
 * Every `METHOD path` Fastify serves, read from its route tree (lower-cased: the routers match
 * paths case-insensitively and print them so).
 */
function fastifyRoutes(app: NestFastifyApplication): string[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes();
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ├└─]*)(\S.*)$/u.exec(line);
    if (!match) continue;
    const depth = Math.floor([...match[1]].length / 4);
    const node = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(match[2])!;
    stack.length = depth;
    stack[depth] = node[1];
    if (node[2]) {
      const path = stack.join('');
      for (const method of node[2].split(', ')) routes.push(`${method} ${path}`.toLowerCase());
    }
  }
  return [...new Set(routes)].sort();
}

interface NestRoute {
  method: string;
  path: string;
  isPublic: boolean;
  role: Role;
}

/** Every route of the listener's Nest controllers, with what AdminAuthGuard reads from it. */
function nestRoutes(app: NestFastifyApplication): NestRoute[] {
  // The listener's own module graph: the controllers it serves, whatever module declares them.
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: NestRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown>;
    const controllerClass = wrapper.metatype as object;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controllerClass) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const path of Array.isArray(paths) ? paths : [paths]) {
        const full = `/${[prefix, path].map((part) => part.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
        routes.push({
          method,
          path: full,
          isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler as never, controllerClass as never]) ?? false,
          role: reflector.getAllAndOverride<Role>(REQUIRED_ROLE, [handler as never, controllerClass as never]) ?? Role.Viewer,
        });
      }
    }
  }
  return routes.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));
}

/** A concrete URL for a route pattern: parameters and wildcards filled in. */
const concrete = (path: string) =>
  path.replace(/:scope\b/g, 'global').replace(/:[A-Za-z]+/g, randomUUID()).replace(/\*$/, 'UCPhone/Polycom/CX600/A/ENU/CPE/1.0/CPE.nbt');

const WEAKER: Partial<Record<Role, Role>> = { [Role.Admin]: Role.Operator, [Role.Operator]: Role.Viewer };

describe('security checks', () => {
  let config: Config;
  let frontend: Frontend;
  let replicaDir: string;
  const logLines: string[] = [];
  const tokens: Partial<Record<Role, string>> = {};
  const internal = () => request(frontend.internal.getHttpServer());
  const external = () => request(frontend.external.getHttpServer());

  const startFrontend = async (nodeId: string): Promise<Frontend> => {
    const nodeConfig = { ...config, UCU_NODE_ID: nodeId };
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ app: 'frontend', nodeId, level: 'trace', destination: capture });
    const created = await createFrontend(nodeConfig, logger, new Metrics(nodeId, 'frontend'));
    for (const app of [created.internal, created.external]) {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    }
    return created;
  };

  beforeAll(async () => {
    replicaDir = await mkdtemp(join(tmpdir(), 'ucu-security-replica-'));
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_REPLICA_DIR: replicaDir,
      UCU_AUTH_FAILURE_LIMIT: '3',
      UCU_AUTH_FAILURE_WINDOW_SECONDS: '60',
      UCU_DOWNLOAD_TOKEN_TTL_SECONDS: '60',
    });
    await prepareServices(config);
    frontend = await startFrontend('security-a');
    tokens[Role.Admin] = ADMIN;
    for (const role of [Role.Operator, Role.Viewer]) {
      const created = await internal().post('/api/v1/tokens').set('Authorization', `Bearer ${ADMIN}`).send({ name: `security ${role}`, role }).expect(201);
      tokens[role] = created.body.token as string;
    }
  });

  afterAll(async () => {
    await frontend?.close();
    await rm(replicaDir, { recursive: true, force: true });
  });

  it('exposes exactly the phone routes on the external listener', () => {
    expect(fastifyRoutes(frontend.external)).toEqual(lower(EXTERNAL_ROUTES));
  });

  it('serves on the internal listener only the Nest routes and the listed plain ones', () => {
    // Fastify adds HEAD to every GET; Nest keeps one method per handler in its metadata.
    const nest = lower(nestRoutes(frontend.internal).flatMap((route) => [`${route.method} ${route.path}`, ...(route.method === 'GET' ? [`HEAD ${route.path}`] : [])]));
    const served = fastifyRoutes(frontend.internal);
    expect(served.filter((route) => !nest.includes(route))).toEqual(lower(NON_NEST_ROUTES));
    // … and every Nest route is really served.
    expect(nest.filter((route) => !served.includes(route))).toEqual([]);
  });

  it('lists every public Nest route here, so that adding one is a conscious change', () => {
    const routes = nestRoutes(frontend.internal);
    expect(lower(routes.filter((route) => route.isPublic).map((route) => `${route.method} ${route.path}`))).toEqual(lower(PUBLIC_NEST_ROUTES.filter((route) => !route.startsWith('HEAD'))));
    expect(routes.length).toBeGreaterThan(30);
  });

  it('answers every other admin route 401 without a token and 403 with a role just below the one it needs', async () => {
    const checked: string[] = [];
    for (const route of nestRoutes(frontend.internal).filter((each) => !each.isPublic)) {
      const url = concrete(route.path);
      const call = () => internal()[route.method.toLowerCase() as 'get'](url);
      const anonymous = await call();
      expect([`${route.method} ${route.path}`, anonymous.status]).toEqual([`${route.method} ${route.path}`, 401]);
      expect(anonymous.body.error.code).toBe('Unauthorized');
      const forged = await call().set('Authorization', `Bearer ${randomBytes(32).toString('base64url')}`);
      expect([`${route.method} ${route.path} (unknown token)`, forged.status]).toEqual([`${route.method} ${route.path} (unknown token)`, 401]);
      const weaker = WEAKER[route.role];
      if (weaker) {
        const refused = await call().set('Authorization', `Bearer ${tokens[weaker]}`);
        expect([`${route.method} ${route.path} as ${weaker}`, refused.status]).toEqual([`${route.method} ${route.path} as ${weaker}`, 403]);
        expect(refused.body.error).toMatchObject({ code: 'Forbidden', details: { required: route.role, role: weaker } });
      }
      checked.push(`${route.method} ${route.path} ${route.role}`);
    }
    // Tokens, phone users, configuration changes and node removals are admin's; uploads and rule changes operator's.
    expect(checked).toEqual(expect.arrayContaining(['POST /api/v1/tokens admin', 'POST /api/v1/phone-users admin', 'PUT /api/v1/configuration/:scope admin', 'DELETE /api/v1/nodes/:id admin', 'POST /api/v1/updates operator', 'POST /api/v1/rules/:id/approve operator']));
  });

  it('refuses forged list cursors with a 400 naming the cursor, never a database error', async () => {
    const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    for (const list of ['/api/v1/imports', '/api/v1/tokens']) {
      for (const forged of [cursor(['not a time', randomUUID()]), cursor(['2026-01-01 00:00:00+00', 'x']), cursor(['\u0000', '\u0000']), cursor(['99999999999999999999', randomUUID()])]) {
        const answer = await internal().get(`${list}?cursor=${forged}`).set('Authorization', `Bearer ${ADMIN}`).expect(400);
        expect(answer.body.error.details.field).toBe('cursor');
      }
    }
    // A cursor the API gave still pages.
    const first = await internal().get('/api/v1/tokens?limit=1').set('Authorization', `Bearer ${ADMIN}`).expect(200);
    const second = await internal().get(`/api/v1/tokens?limit=1&cursor=${first.body.nextCursor}`).set('Authorization', `Bearer ${ADMIN}`).expect(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('refuses text Postgres cannot store (NUL, lone surrogates) with a 400 naming the field', async () => {
    for (const name of ['a\u0000b', 'a\ud800b']) {
      const answer = await internal().post('/api/v1/tokens').set('Authorization', `Bearer ${ADMIN}`).set('Content-Type', 'application/json').send(JSON.stringify({ name, role: 'viewer' })).expect(400);
      expect(answer.body.error.details.field).toBe('name');
    }
    await internal().get('/api/v1/rules?model=%00').set('Authorization', `Bearer ${ADMIN}`).expect(400);
  });

  it('never logs tokens, passwords, session ids or CSRF tokens', async () => {
    const secrets: string[] = [ADMIN, tokens[Role.Operator]!, tokens[Role.Viewer]!];
    const password = `Secret-${randomBytes(8).toString('hex')}`;
    const userId = `sip:logcheck-${randomBytes(3).toString('hex')}@contoso.com`;
    await internal().post('/api/v1/phone-users').set('Authorization', `Bearer ${ADMIN}`).send({ userId, password }).expect(201);
    secrets.push(password);
    const created = await internal().post('/api/v1/tokens').set('Authorization', `Bearer ${ADMIN}`).send({ name: 'log check', role: 'viewer' }).expect(201);
    secrets.push(created.body.token);
    await internal().get('/api/v1/nodes').set('Authorization', `Bearer ${created.body.token}`).expect(200);
    await internal().get('/api/v1/nodes').set('Authorization', `Bearer ${created.body.token}x`).expect(401);

    const basic = (secret: string) => `Basic ${Buffer.from(`${userId}:${secret}`).toString('base64')}`;
    const check = '<Request><DeviceType>UCPhone</DeviceType><MacAddress>00-04-F2-00-00-42</MacAddress><Vendor>Polycom</Vendor><Model>CX600</Model></Request>';
    await external().post('/RequestHandlerExt/ucdevice.upx').set('Content-Type', 'text/xml').set('Authorization', basic(password)).set('X-Forwarded-For', '192.0.2.10').send(check).expect(200);
    const wrong = `Wrong-${randomBytes(8).toString('hex')}`;
    await external().post('/RequestHandlerExt/ucdevice.upx').set('Content-Type', 'text/xml').set('Authorization', basic(wrong)).set('X-Forwarded-For', '192.0.2.11').send(check).expect(401);
    secrets.push(wrong, basic(password).slice(6), basic(wrong).slice(6));

    const signIn = await internal().post('/api/v1/session').send({ token: created.body.token }).expect(201);
    const cookie = [signIn.headers['set-cookie']].flat().join('; ');
    const sessionId = /=([^;]+)/.exec(cookie)![1];
    const session = await internal().get('/api/v1/session').set('Cookie', `${cookie.split(';')[0]}`).expect(200);
    secrets.push(sessionId);
    if (typeof session.body.csrfToken === 'string') secrets.push(session.body.csrfToken);
    await internal().delete('/api/v1/session').set('Cookie', cookie.split(';')[0]).set('X-CSRF-Token', session.body.csrfToken ?? '').expect((answer) => expect(answer.status).toBeLessThan(300));

    await new Promise((resolve) => setTimeout(resolve, 100));
    const logged = logLines.join('');
    expect(logged.length).toBeGreaterThan(1000); // the capture works: every request is a line
    for (const secret of secrets) {
      expect(logged.includes(secret) ? `logged: ${secret.slice(0, 6)}…` : 'not logged').toBe('not logged');
    }
  });

  it('throttles wrong sign-ins pool-wide: failures on one node count on another', async () => {
    const other = await startFrontend('security-b');
    try {
      const user = `sip:guess-${randomBytes(4).toString('hex')}@contoso.com`;
      const address = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
      const attempt = (node: Frontend, forwardedFor: string) =>
        request(node.external.getHttpServer())
          .post('/RequestHandlerExt/ucdevice.upx')
          .set('Content-Type', 'text/xml')
          .set('X-Forwarded-For', forwardedFor)
          .set('Authorization', `Basic ${Buffer.from(`${user}:guess-${randomBytes(4).toString('hex')}`).toString('base64')}`)
          .send('<Request/>');
      // Three failures for the user from three addresses on node A …
      for (let i = 0; i < 3; i++) await attempt(frontend, `203.0.113.${100 + i}`).expect(401);
      // … and the user is throttled on node B, from an address never seen.
      const throttled = await attempt(other, address).expect(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(throttled.text).toContain('<Error>TooManyRequests</Error>');
    } finally {
      await other.close();
    }
  });

  it('does not let a download token serve another folder, or serve at all once expired', async () => {
    const dataSource = frontend.core.get(DataSource);
    const seed = new CatalogSeed(dataSource, frontend.core.get(ObjectStorage), replicaDir);
    const rule = await seed.rule({ model: 'SEC1' });
    await seed.version(rule, '1.0', [
      { name: 'CPE.nbt', role: 'image', content: randomBytes(2048) },
      { name: 'CPE.cat', role: 'catalog', content: randomBytes(256) },
    ]);
    await seed.state(rule, { approved: '1.0' });
    await frontend.core.get(PoolStateService).reload();
    const folder = { deviceType: 'UCPhone', brand: 'Polycom', model: 'SEC1', revision: 'A', locale: 'ENU', version: '1.0', updateType: 'CPE' };
    const tokensService = frontend.core.get(DownloadTokens);
    const url = (token: string, file = 'CPE.nbt', store = '/DeviceUpdateFiles_Ext') => `${store}/~${token}/UCPhone/Polycom/SEC1/A/ENU/1.0/CPE/${file}`;
    const now = Date.now();
    const token = tokensService.issue(folder, new Date(now));
    // One token serves every file of its folder, under either name of the store.
    await external().get(url(token)).expect(200);
    await external().get(url(token, 'CPE.cat')).expect(200);
    await external().get(url(token, 'CPE.cat', '/RequestHandlerExt/Files')).expect(200);
    // No token, the version 1 query form, another version's token, another model's.
    await external().get('/DeviceUpdateFiles_Ext/UCPhone/Polycom/SEC1/A/ENU/1.0/CPE/CPE.nbt').expect(403);
    await external().get(`/DeviceUpdateFiles_Ext/UCPhone/Polycom/SEC1/A/ENU/1.0/CPE/CPE.nbt?t=${token}`).expect(403);
    await external().get(url(tokensService.issue({ ...folder, version: '1.1' }, new Date(now)))).expect(403);
    await external().get(url(tokensService.issue({ ...folder, model: 'SEC2' }, new Date(now)))).expect(403);
    // Issued 61 s ago with a TTL of 60 s: expired; and one whose expiry was moved is not signed.
    const expired = tokensService.issue(folder, new Date(now - 61_000));
    await external().get(url(expired)).expect(403);
    const [expiry, mac] = expired.split('.');
    await external().get(url(`${Number(expiry) + 3600}.${mac}`)).expect(403);
    // Just inside its life it still serves (the clock is the node's).
    await external().get(url(tokensService.issue(folder, new Date(now - 50_000)))).expect(200);
  });

  it('has no high or critical advisory in production dependencies (npm audit)', () => {
    const audit = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    let report: { metadata?: { vulnerabilities?: Record<string, number> }; message?: string; error?: { code?: string; summary?: string } } = {};
    try {
      report = JSON.parse(audit.stdout || '{}');
    } catch {
      // not JSON: judged below
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      // The registry's audit endpoint could not be reached (offline machine, proxy): say so, do not fail.
      const why = report.message ?? report.error?.summary ?? audit.error?.message ?? audit.stderr ?? `exit ${audit.status}`;
      process.stdout.write(`npm audit SKIPPED: the registry's audit endpoint gave no report (${why.slice(0, 200)})\n`);
      return;
    }
    expect({ high: counts.high, critical: counts.critical }).toEqual({ high: 0, critical: 0 });
  }, 90_000);
});
