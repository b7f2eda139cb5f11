import { Controller, Get } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CONFIG, type Config } from '@ucupdates/config';
import { AdminTokensRepository, Role } from '@ucupdates/database';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SessionModule } from '../../apps/frontend/src/admin/session/session.module';
import { AdminAuthGuard } from '../../apps/frontend/src/auth/admin-auth.guard';
import { RequireRole } from '../../apps/frontend/src/auth/roles';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import { DirectoryConnection } from '../../apps/frontend/src/directory/directory-connection';
import { AdminExceptionFilter } from '../../apps/frontend/src/errors/admin-exception.filter';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { SharedCoreModule } from '../../apps/frontend/src/http/shared-core.module';
import { prepareServices, startTestFrontend, useTestFrontend } from '../support/harness';

describe('frontend (in-process, real Postgres, Redis and MinIO)', () => {
  const app = useTestFrontend(__filename, {
    settings: {
      UCU_HEARTBEAT_INTERVAL_MS: '200',
      UCU_NODE_DOWN_AFTER_MS: '1000',
      // The nodes seeded below are active but never confirm an admin change: no waiting for them
      // (docs/decisions.md 46).
      UCU_CHANGE_CONFIRM_TIMEOUT_MS: '0',
    },
  });
  const VIEWER = app.tokens.viewer;
  const BOOTSTRAP = app.tokens.admin;
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const internal = () => request(frontend.internal.getHttpServer());
  const external = () => request(frontend.external.getHttpServer());

  beforeAll(() => void ({ config, frontend, dataSource } = app));

  describe('health and metrics, without a token', () => {
    it('answers /healthz', async () => {
      await internal().get('/healthz').expect(200, { status: 'ok' });
    });

    it('answers /readyz with every dependency up', async () => {
      const response = await internal().get('/readyz').expect(200);
      expect(response.body).toEqual({
        status: 'ready',
        checks: {
          postgres: { state: 'up' },
          redis: { state: 'up' },
          storage: { state: 'up' },
          cache: { state: 'up', loadedAt: expect.any(String), digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
        },
      });
    });

    it('serves Prometheus metrics labelled with the node id', async () => {
      await internal().get('/healthz');
      const response = await internal().get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toMatch(/ucupdates_http_requests_total\{[^}]*route="\/healthz"[^}]*node_id="test-node"/);
      expect(response.text).toContain('ucupdates_process_resident_memory_bytes');
    });
  });

  describe('bearer tokens', () => {
    it('refuses the admin API without a token: 401 in JSON with a challenge', async () => {
      const response = await internal().get('/api/v1/nodes').expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="ucupdates"');
      expect(response.body.error.code).toBe('Unauthorized');
    });

    it('refuses an unknown token', async () => {
      const response = await internal().get('/api/v1/nodes').set('Authorization', 'Bearer not-a-token-of-this-pool').expect(401);
      expect(response.body.error).toEqual({ code: 'Unauthorized', message: 'the token is not known to this pool', details: null });
    });

    it('accepts the bootstrap token, kept once however many frontends start', async () => {
      await internal().get('/api/v1/nodes').set('Authorization', `Bearer ${BOOTSTRAP}`).expect(200);
      const second = await startTestFrontend({ ...config, UCU_NODE_ID: 'second-node' });
      await second.close();
      const rows = await dataSource.query(`SELECT role FROM admin_tokens WHERE token_hash = $1`, [hashToken(BOOTSTRAP)]);
      expect(rows).toEqual([{ role: 'admin' }]);
    });

    it('lets a viewer read, and refuses a route that needs more (403)', async () => {
      await internal().get('/api/v1/nodes').set('Authorization', `Bearer ${VIEWER}`).expect(200);

      @Controller('api/v1/test-admin-only')
      @RequireRole(Role.Admin)
      class AdminOnlyController {
        @Get()
        get(): { ok: true } {
          return { ok: true };
        }
      }
      const app = await NestFactory.create<NestFastifyApplication>(
        {
          module: class AdminOnlyModule {},
          // SessionModule: what AdminAuthGuard injects (panel sessions, the directory users' sign-in).
          imports: [SharedCoreModule.from(frontend.core, [AdminTokensRepository, Redis, DirectoryConnection, CONFIG]), SessionModule],
          controllers: [AdminOnlyController],
          providers: [
            { provide: APP_GUARD, useClass: AdminAuthGuard },
            { provide: APP_FILTER, useClass: AdminExceptionFilter },
          ],
        },
        new FastifyAdapter(),
        { logger: false },
      );
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      try {
        const refused = await request(app.getHttpServer())
          .get('/api/v1/test-admin-only')
          .set('Authorization', `Bearer ${VIEWER}`)
          .expect(403);
        expect(refused.body.error).toMatchObject({ code: 'Forbidden', details: { required: 'admin', role: 'viewer' } });
        await request(app.getHttpServer()).get('/api/v1/test-admin-only').set('Authorization', `Bearer ${BOOTSTRAP}`).expect(200);
      } finally {
        await app.close();
      }
    });
  });

  describe('GET /api/v1/nodes', () => {
    it('lists this node as active with its heartbeat, and its worker as down (none runs)', async () => {
      const response = await internal().get('/api/v1/nodes').set('Authorization', `Bearer ${BOOTSTRAP}`).expect(200);
      expect(response.body.nextCursor).toBeNull();
      const node = response.body.items.find((item: { id: string }) => item.id === 'test-node');
      expect(node).toMatchObject({
        status: 'active',
        worker: { status: 'down', lastHeartbeatAt: null },
        replicas: { ready: 0, missing: 0 },
      });
      expect(Date.now() - Date.parse(node.lastHeartbeatAt)).toBeLessThan(5_000);
    });

    it('beats the heartbeat on its interval', async () => {
      const before = await heartbeat();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await heartbeat())!.getTime()).toBeGreaterThan(before!.getTime());
    });

    it('reports a node down once its heartbeat is older than the timeout', async () => {
      await dataSource.query(
        `INSERT INTO pool_nodes (id, url, app_version, frontend_heartbeat_at) VALUES ('stale-node', 'http://stale', '0', now() - interval '5 seconds')`,
      );
      const response = await internal().get('/api/v1/nodes').set('Authorization', `Bearer ${BOOTSTRAP}`).expect(200);
      expect(response.body.items.find((item: { id: string }) => item.id === 'stale-node').status).toBe('down');
    });
  });

  describe('request ids and errors', () => {
    it('echoes the request id the load balancer sent, and makes one otherwise', async () => {
      const sent = await internal().get('/healthz').set('X-Request-Id', 'lb-request-0001').expect(200);
      expect(sent.headers['x-request-id']).toBe('lb-request-0001');
      const made = await internal().get('/healthz').expect(200);
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers an unknown admin route 404 in JSON', async () => {
      const response = await internal().get('/api/v1/nothing-here').set('Authorization', `Bearer ${BOOTSTRAP}`).expect(404);
      expect(response.body.error.code).toBe('NotFound');
    });
  });

  describe('the external listener', () => {
    it.each(['/api/v1/nodes', '/healthz', '/readyz', '/metrics', '/RequestHandler/ucdevice.upx'])(
      'has no %s: 404 in XML',
      async (path) => {
        const response = await external().get(path).set('Authorization', `Bearer ${BOOTSTRAP}`).expect(404);
        expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
        expect(response.text).toContain('<Response><Error>NotFound</Error>');
      },
    );
  });

  describe('readiness with the object store away', () => {
    it('answers /readyz 503 naming the store, while /healthz stays 200', async () => {
      const broken = await startTestFrontend({ ...config, UCU_NODE_ID: 'no-storage', S3_ENDPOINT: 'http://127.0.0.1:9' });
      try {
        await request(broken.internal.getHttpServer()).get('/healthz').expect(200);
        const response = await request(broken.internal.getHttpServer()).get('/readyz').expect(503);
        expect(response.body.checks.storage.state).toBe('down');
        expect(response.body.checks.postgres.state).toBe('up');
      } finally {
        await broken.close();
      }
    });
  });

  it('leaves the pool on close: the node is down at once', async () => {
    const leaving = await startTestFrontend({ ...config, UCU_NODE_ID: 'leaving-node' });
    expect(await heartbeat('leaving-node')).not.toBeNull();
    await leaving.close();
    expect(await heartbeat('leaving-node')).toBeNull();
  });

  async function heartbeat(nodeId = 'test-node'): Promise<Date | null> {
    const [row] = await dataSource.query(`SELECT frontend_heartbeat_at FROM pool_nodes WHERE id = $1`, [nodeId]);
    return row?.frontend_heartbeat_at ?? null;
  }
});
