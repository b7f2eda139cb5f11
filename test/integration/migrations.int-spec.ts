import { createDataSource } from '@ucupdates/database';
import type { DataSource } from 'typeorm';
import { suiteResources } from '../support/test-environment';

const suite = suiteResources(__filename);

const TABLES = [
  'admin_audit',
  'admin_tokens',
  'ddi_actions',
  'ddi_targets',
  'device_logs',
  'device_update_configurations',
  'devices',
  'files',
  'imports',
  'packages',
  'phone_users',
  'pool_nodes',
  'replicas',
  'request_audit',
  'rules',
  'test_devices',
  'update_version_files',
  'update_versions',
];

describe('migrations', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = createDataSource(await suite.recreateDatabase());
    await dataSource.initialize();
  });

  afterAll(() => dataSource.destroy());

  const tables = async (): Promise<string[]> =>
    (
      await dataSource.query<{ tablename: string }[]>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations' ORDER BY 1`,
      )
    ).map((row) => row.tablename);

  it('apply to an empty database and create the whole data model', async () => {
    expect(await tables()).toEqual([]);
    const applied = await dataSource.runMigrations();
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toEqual(TABLES);
  });

  it('leave nothing for the entities to change: the schema is exactly what the code maps', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('have the indexes the hot paths need', async () => {
    const indexes = (
      await dataSource.query<{ indexname: string; indexdef: string }[]>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
      )
    ).map((row) => row.indexname);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'rules_key_idx',
        'request_audit_at_idx',
        'request_audit_mac_at_idx',
        'request_audit_serial_at_idx',
        'admin_audit_at_idx',
        'test_devices_identifier_idx',
        'replicas_sha256_idx',
        'update_version_files_sha256_idx',
      ]),
    );
  });

  it('compare rule keys case-insensitively (one rule per key, whatever the case)', async () => {
    await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type)
       VALUES ('UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE')`,
    );
    await expect(
      dataSource.query(
        `INSERT INTO rules (device_type, brand, model, revision, locale, update_type)
         VALUES ('ucphone', 'POLYCOM', 'cx600', 'a', 'enu', 'cpe')`,
      ),
    ).rejects.toThrow(/rules_key_idx/);
    await dataSource.query('DELETE FROM rules');
  });

  it('revert cleanly, and apply again', async () => {
    while ((await dataSource.query(`SELECT count(*)::int AS n FROM typeorm_migrations`))[0].n > 0) {
      await dataSource.undoLastMigration();
    }
    expect(await tables()).toEqual([]);
    await dataSource.runMigrations();
    expect(await tables()).toEqual(TABLES);
  });
});
