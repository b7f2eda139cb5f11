import { Readable } from 'node:stream';
import type { Config } from '@ucupdates/config';
import { ObjectStorage } from '@ucupdates/storage';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const OPERATOR = 'purge-operator-token-0123456789';
const VIEWER = 'purge-viewer-token-0123456789';
const [A, B, C, D] = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(64));

describe('POST /api/v1/files/purge', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  let storage: ObjectStorage;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function version(ruleId: string, name: string, files: string[]): Promise<void> {
    const [{ id }] = await dataSource.query(`INSERT INTO update_versions (rule_id, version) VALUES ($1, $2) RETURNING id`, [ruleId, name]);
    for (const [index, sha256] of files.entries()) {
      await dataSource.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, $2, 'image', $3)`, [
        id,
        `file-${index}`,
        sha256,
      ]);
    }
  }

  beforeAll(async () => {
    config = testConfig({ DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    storage = frontend.core.get(ObjectStorage);
    await dataSource.query(`INSERT INTO admin_tokens (name, role, token_hash) VALUES ('operator', 'operator', $1), ('viewer', 'viewer', $2)`, [
      hashToken(OPERATOR),
      hashToken(VIEWER),
    ]);
    for (const sha256 of [A, B, C, D]) {
      await storage.put(`files/${sha256}`, Readable.from([Buffer.from(sha256)]));
      await dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, 64)`, [sha256]);
    }
    const [{ id: r1 }] = await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type, approved_version)
       VALUES ('UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE', '1.0') RETURNING id`,
    );
    const [{ id: r2 }] = await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type, pending_version)
       VALUES ('UCPhone', 'Polycom', 'CX700', 'A', 'ENU', 'CPE', '2.0') RETURNING id`,
    );
    await version(r1, '1.0', [A]); // approved: kept
    await version(r1, '0.9', [B, C]); // a replaced pending version: B goes, C is still used below
    await version(r2, '2.0', [C]); // pending: kept
    // D: stored, but no version lists it (an import that failed after storing its files).
  });

  afterAll(async () => {
    await frontend?.close();
  });

  it('is refused to viewers', async () => {
    await api().post('/api/v1/files/purge').set(as(VIEWER)).expect(403);
  });

  it('removes the files no approved, pending or restore version uses, rows and objects, with an audit row', async () => {
    expect((await api().post('/api/v1/files/purge').set(as(OPERATOR)).expect(200)).body).toEqual({ removed: 2 });
    const left = (await dataSource.query(`SELECT sha256 FROM files ORDER BY sha256`)).map((row: { sha256: string }) => row.sha256);
    expect(left).toEqual([A, C]);
    expect(await storage.stat(`files/${B}`)).toBeNull();
    expect(await storage.stat(`files/${D}`)).toBeNull();
    expect(await storage.stat(`files/${A}`)).not.toBeNull();
    expect(await storage.stat(`files/${C}`)).not.toBeNull();
    // The replaced version stays in the history of its import; only its file list lost B.
    const versions = await dataSource.query(
      `SELECT v.version, array_agg(f.sha256 ORDER BY f.sha256) AS files FROM update_versions v
         LEFT JOIN update_version_files f ON f.update_version_id = v.id GROUP BY v.version ORDER BY v.version`,
    );
    expect(versions).toEqual([
      { version: '0.9', files: [C] },
      { version: '1.0', files: [A] },
      { version: '2.0', files: [C] },
    ]);
    const [audit] = await dataSource.query(`SELECT actor, after FROM admin_audit WHERE action = 'files.purge'`);
    expect(audit).toEqual({ actor: 'operator', after: { removed: 2, sha256: expect.arrayContaining([B, D]) } });
  });

  it('removes nothing the second time', async () => {
    expect((await api().post('/api/v1/files/purge').set(as(OPERATOR)).expect(200)).body).toEqual({ removed: 0 });
  });
});
