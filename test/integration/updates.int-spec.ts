import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '@ucupdates/config';
import { bullQueueName, QUEUE_PREFIX, QueueName } from '@ucupdates/jobs';
import { createRedis } from '@ucupdates/redis';
import { ObjectStorage } from '@ucupdates/storage';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'updates-admin-token-0123456789';
const VIEWER = 'updates-viewer-token-0123456789';
const MAX_UPLOAD = 64 * 1024;

describe('package uploads and import status (POST /api/v1/updates, GET /api/v1/imports)', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  let queue: Queue;
  let redis: Redis;
  const api = () => request(frontend.internal.getHttpServer());
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const upload = (bytes: Buffer, token = ADMIN) =>
    api()
      .post('/api/v1/updates')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/vnd.ms-cab-compressed')
      .set('Content-Disposition', 'attachment; filename="UCUpdates.cab"')
      .send(bytes);

  beforeAll(async () => {
    const redisUrl = suite.redisUrl;
    redis = createRedis(redisUrl, 'updates-test');
    await redis.flushdb();
    queue = new Queue(bullQueueName(QueueName.Import), { connection: redis, prefix: QUEUE_PREFIX });
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    await dataSource.query(`INSERT INTO admin_tokens (name, role, token_hash) VALUES ('viewer', 'viewer', $1)`, [hashToken(VIEWER)]);
  });

  afterAll(async () => {
    await frontend?.close();
    await queue?.close();
    await redis?.quit();
  });

  it('takes a raw upload: 202, the package stored under its hash, the import queued with its job and audit row', async () => {
    const bytes = randomBytes(10_000);
    const response = await upload(bytes).expect(202);
    expect(response.body).toEqual({ importId: expect.any(String), sha256: sha256(bytes), status: 'queued' });

    const stat = await frontend.core.get(ObjectStorage).stat(`packages/${sha256(bytes)}`);
    expect(stat?.size).toBe(bytes.length);
    const job = await queue.getJob(sha256(bytes));
    expect(job?.data).toEqual({ importId: response.body.importId, sha256: sha256(bytes) });
    const audit = await dataSource.query(`SELECT actor, role, action, target, after FROM admin_audit WHERE target = $1`, [
      `import/${response.body.importId}`,
    ]);
    expect(audit).toEqual([
      {
        actor: 'bootstrap',
        role: 'admin',
        action: 'update.upload',
        target: `import/${response.body.importId}`,
        after: { importId: response.body.importId, sha256: sha256(bytes), size: bytes.length, fileName: 'UCUpdates.cab' },
      },
    ]);
  });

  it('answers the same bytes with the first import (200), adding nothing', async () => {
    const bytes = randomBytes(5_000);
    const first = await upload(bytes).expect(202);
    const again = await upload(bytes).expect(200);
    expect(again.body.importId).toBe(first.body.importId);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM imports WHERE package_sha256 = $1`, [sha256(bytes)]);
    expect(n).toBe(1);
  });

  it('takes a multipart upload with the field "file"', async () => {
    const bytes = randomBytes(7_000);
    const response = await api()
      .post('/api/v1/updates')
      .set('Authorization', `Bearer ${ADMIN}`)
      .attach('file', bytes, 'Lab.cab')
      .expect(202);
    expect(response.body.sha256).toBe(sha256(bytes));
    const view = await api().get(`/api/v1/imports/${response.body.importId}`).set('Authorization', `Bearer ${VIEWER}`).expect(200);
    expect(view.body).toMatchObject({
      importId: response.body.importId,
      sha256: sha256(bytes),
      fileName: 'Lab.cab',
      status: 'queued',
      error: null,
      updates: [],
      finishedAt: null,
    });
  });

  it('refuses a package over UCU_MAX_UPLOAD_BYTES with 413 and keeps nothing of it', async () => {
    const bytes = randomBytes(MAX_UPLOAD + 1);
    const response = await upload(bytes).expect(413);
    expect(response.body.error).toMatchObject({ code: 'PackageTooLarge', details: { maxBytes: MAX_UPLOAD } });
    expect(await frontend.core.get(ObjectStorage).stat(`packages/${sha256(bytes)}`)).toBeNull();
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM imports WHERE package_sha256 = $1`, [sha256(bytes)]);
    expect(n).toBe(0);
  });

  it('refuses an empty body (400 naming the field) and other content types (415)', async () => {
    const empty = await upload(Buffer.alloc(0)).expect(400);
    expect(empty.body.error).toMatchObject({ code: 'EmptyPackage', details: { field: 'file' } });
    const json = await api().post('/api/v1/updates').set('Authorization', `Bearer ${ADMIN}`).send({ file: 'x' }).expect(415);
    expect(json.body.error.code).toBe('UnsupportedMediaType');
    const wrongField = await api()
      .post('/api/v1/updates')
      .set('Authorization', `Bearer ${ADMIN}`)
      .attach('package', randomBytes(100), 'x.cab')
      .expect(400);
    expect(wrongField.body.error.details).toEqual({ field: 'file' });
  });

  it('lets viewers read imports but not upload', async () => {
    await upload(randomBytes(100), VIEWER).expect(403);
    await api().get('/api/v1/imports').set('Authorization', `Bearer ${VIEWER}`).expect(200);
  });

  it('lists imports newest first, a page at a time', async () => {
    const all = await api().get('/api/v1/imports?limit=1000').set('Authorization', `Bearer ${VIEWER}`).expect(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/imports?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', `Bearer ${VIEWER}`)
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { importId: string }) => item.importId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((item: { importId: string }) => item.importId));
    const times = all.body.items.map((item: { createdAt: string }) => item.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages without losing imports made within the same millisecond', async () => {
    const created = await dataSource.query(`SELECT id FROM imports ORDER BY created_at LIMIT 3`);
    // Three imports apart by microseconds only: a cursor rounded to milliseconds would skip two.
    for (const [index, { id }] of created.entries()) {
      await dataSource.query(`UPDATE imports SET created_at = $2 WHERE id = $1`, [id, `2031-01-01 00:00:00.00010${index}+00`]);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/imports?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', `Bearer ${VIEWER}`)
        .expect(200);
      seen.push(...page.body.items.map((item: { importId: string }) => item.importId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 3)).toEqual(created.map((row: { id: string }) => row.id).reverse());
  });

  it('answers bad list parameters and ids with 400 naming the field, unknown ids with 404', async () => {
    const limit = await api().get('/api/v1/imports?limit=5000').set('Authorization', `Bearer ${VIEWER}`).expect(400);
    expect(limit.body.error.details.field).toBe('limit');
    const cursor = await api().get('/api/v1/imports?cursor=bm90LWpzb24').set('Authorization', `Bearer ${VIEWER}`).expect(400);
    expect(cursor.body.error.details.field).toBe('cursor');
    const id = await api().get('/api/v1/imports/not-a-uuid').set('Authorization', `Bearer ${VIEWER}`).expect(400);
    expect(id.body.error.details.field).toBe('importId');
    await api().get('/api/v1/imports/00000000-0000-4000-8000-000000000000').set('Authorization', `Bearer ${VIEWER}`).expect(404);
  });
});
