import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '@ucupdates/config';
import { createDataSource, Repositories } from '@ucupdates/database';
import type { JobName, JobPayloads } from '@ucupdates/jobs';
import { MinioObjectStorage } from '@ucupdates/storage';
import { CHANGES_CHANNEL, createRedis } from '@ucupdates/redis';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ImportPackageHandler } from '../../apps/worker/src/imports/import-package.handler';
import { SignaturePolicy } from '../../apps/worker/src/imports/signature-policy';
import { writeCab } from '../support/cab-writer';
import { buildPackage, type TestUpdate } from '../support/package-builder';
import { createPoolPki, type Issued, type PoolPki } from '../support/test-pki';
import { buildTestSwu, type TestSwuOptions } from '../support/swu-builder';
import { suiteResources, testConfig, testServices } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

interface ImportResult {
  status: string;
  error_code: string | null;
  error_message: string | null;
}

describe('the import job on real Postgres and MinIO', () => {
  let config: Config;
  let dataSource: DataSource;
  let storage: MinioObjectStorage;
  let pki: PoolPki;
  let work: string;
  let packages = 0;
  let redis: Redis;
  let listener: Redis;
  const announcements: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(testServices.stateDir, 'import-'));
    pki = createPoolPki(join(work, 'pki'));
    config = testConfig({ DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl, UCU_TRUSTED_CA_FILE: pki.caFile });
    dataSource = await createDataSource(config.DATABASE_URL).initialize();
    await dataSource.runMigrations();
    storage = new MinioObjectStorage({
      endpoint: config.S3_ENDPOINT,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
    });
    await storage.ensureBucket();
    redis = createRedis(config.REDIS_URL, 'import-test');
    // What the frontends would hear: every import that changed rules is announced.
    listener = createRedis(config.REDIS_URL, 'import-test-listener');
    listener.on('message', (_channel: string, kind: string) => announcements.push(kind));
    await listener.subscribe(CHANGES_CHANNEL);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await Promise.all([redis.quit(), listener.quit()]);
  });

  const image = (size = 50_000) => randomBytes(size);
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  /** Uploads a package as the frontend would, runs the job, and returns the import's outcome. */
  async function runImport(cab: Buffer, overrides: Partial<Config> = {}): Promise<ImportResult & { importId: string; sha: string }> {
    const sha = sha256(cab);
    await storage.put(`packages/${sha}`, Readable.from([cab]));
    await dataSource.query(`INSERT INTO packages (sha256, size, object_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      sha,
      cab.length,
      `packages/${sha}`,
    ]);
    const [{ id }] = await dataSource.query(
      `INSERT INTO imports (package_sha256, file_name, uploaded_by, node_id) VALUES ($1, 'UCUpdates.cab', 'tester', 'test-node') RETURNING id`,
      [sha],
    );
    const jobConfig = { ...config, ...overrides };
    const handler = new ImportPackageHandler(jobConfig, new Repositories(dataSource, jobConfig), storage, SignaturePolicy.fromConfig(jobConfig), redis);
    const job = { data: { importId: id, sha256: sha }, attemptsMade: 0, opts: { attempts: 8 } } as unknown as Job<
      JobPayloads[JobName.ImportPackage]
    >;
    await handler.handle(job).catch((error: Error) => {
      if (error.name !== 'UnrecoverableError') {
        throw error;
      }
    });
    const [result] = await dataSource.query(`SELECT status, error_code, error_message FROM imports WHERE id = $1`, [id]);
    return { ...result, importId: id, sha };
  }

  const pkg = (updates: TestUpdate[]) => buildPackage(join(work, `package-${++packages}`), pki, updates);
  const rule = async (updateType: string, model = 'CX600') =>
    (
      await dataSource.query(
        `SELECT id, approved_version, pending_version FROM rules
          WHERE device_type = 'ucphone' AND brand = 'POLYCOM' AND model = $1 AND revision = 'a' AND locale = 'enu' AND update_type = $2`,
        [model, updateType],
      )
    )[0];

  it('imports a signed package: files stored once under their hash, new rules pending, an audit row per rule', async () => {
    const cpe = image();
    const ucm = image(70_000);
    const result = await runImport(
      pkg([
        { folder: 'CPE', version: '4.0.7577.4372', image: cpe },
        { folder: 'UCM', updateType: 'UCM', version: '1.0.1', image: ucm },
      ]),
    );
    expect(result).toMatchObject({ status: 'succeeded', error_code: null });
    expect(await rule('CPE')).toMatchObject({ approved_version: null, pending_version: '4.0.7577.4372' });
    await waitFor('the announcement', 2_000, () => announcements.includes('rules'), 20);
    expect(await rule('UCM')).toMatchObject({ approved_version: null, pending_version: '1.0.1' });
    expect((await storage.stat(`files/${sha256(cpe)}`))?.size).toBe(cpe.length);
    const files = await dataSource.query(
      `SELECT f.name, f.role, f.sha256 FROM update_version_files f JOIN update_versions v ON v.id = f.update_version_id
        WHERE v.import_id = $1 ORDER BY f.name`,
      [result.importId],
    );
    expect(files.map((file: { name: string; role: string }) => `${file.name}:${file.role}`)).toEqual([
      'CPE.cat:catalog',
      'CPE.nbt:image',
      'UCM.cat:catalog',
      'UCM.nbt:image',
    ]);
    expect(files.find((file: { name: string }) => file.name === 'CPE.nbt').sha256).toBe(sha256(cpe));
    const audit = await dataSource.query(`SELECT actor, action, target FROM admin_audit WHERE after->>'importId' = $1 ORDER BY target`, [
      result.importId,
    ]);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor: 'tester', action: 'rule.import' });
  });

  it('replaces the pending version with a newer import, and leaves it for the same version again', async () => {
    expect((await runImport(pkg([{ folder: 'CPE', version: '4.0.7577.4400', image: image() }]))).status).toBe('succeeded');
    expect((await rule('CPE')).pending_version).toBe('4.0.7577.4400');
    const again = await runImport(pkg([{ folder: 'CPE', version: '4.0.7577.4400', image: image() }]));
    expect(again.status).toBe('succeeded');
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM update_versions WHERE import_id = $1`, [again.importId]);
    expect(n).toBe(0);
  });

  it('imports nothing of a package with one bad update of three, says why, and deletes the package', async () => {
    const before = await dataSource.query(`SELECT id, pending_version FROM rules ORDER BY id`);
    const result = await runImport(
      pkg([
        { folder: 'A', model: 'CX700', version: '1.0', image: image() },
        { folder: 'B', model: 'CX800', version: '1.0', image: image(), tamper: true },
        { folder: 'C', model: 'CX900', version: '1.0', image: image() },
      ]),
    );
    expect(result).toMatchObject({ status: 'failed', error_code: 'BadSignature' });
    expect(result.error_message).toMatch(/^B\\CPE\.cat: HashMismatch/);
    expect(await dataSource.query(`SELECT id, pending_version FROM rules ORDER BY id`)).toEqual(before);
    expect(await storage.stat(`packages/${result.sha}`)).toBeNull();
    const [pkgRow] = await dataSource.query(`SELECT removed_at FROM packages WHERE sha256 = $1`, [result.sha]);
    expect(pkgRow.removed_at).not.toBeNull();
  });

  it('verifies catalogs signed with SHA-384 and SHA-512 (digests the extraction leaves to the catalogs that name them)', async () => {
    const result = await runImport(
      pkg([
        { folder: 'A', model: 'S384', version: '1.0', image: image(), digest: 'sha384' },
        { folder: 'B', model: 'S512', version: '1.0', image: image(), digest: 'sha512' },
      ]),
    );
    expect(result).toMatchObject({ status: 'succeeded', error_code: null });
    const tampered = await runImport(pkg([{ folder: 'CPE', model: 'S512', version: '1.1', image: image(), digest: 'sha512', tamper: true }]));
    expect(tampered).toMatchObject({ status: 'failed', error_code: 'BadSignature' });
    expect(tampered.error_message).toMatch(/^CPE\\CPE\.cat: HashMismatch: .*SHA-512/);
  });

  it('refuses a catalog signed by a CA the pool does not trust', async () => {
    const result = await runImport(pkg([{ folder: 'CPE', model: 'R1', version: '1.0', image: image(), signedBy: 'rogue' }]));
    expect(result).toMatchObject({ status: 'failed', error_code: 'BadSignature' });
    expect(result.error_message).toContain('UntrustedSigner');
    expect(await rule('CPE', 'R1')).toBeUndefined();
  });

  it('refuses unsigned updates unless the pool allows them, and never a tampered one', async () => {
    const unsigned = () => pkg([{ folder: 'CPE', model: 'U1', version: '1.0', image: image(), signedBy: 'nobody' }]);
    expect((await runImport(unsigned())).error_code).toBe('BadSignature');
    expect((await runImport(unsigned(), { UCU_ALLOW_UNSIGNED_UPDATES: true })).status).toBe('succeeded');
    const tampered = pkg([{ folder: 'CPE', model: 'U2', version: '1.0', image: image(), tamper: true }]);
    expect((await runImport(tampered, { UCU_ALLOW_UNSIGNED_UPDATES: true })).error_code).toBe('BadSignature');
  });

  it('refuses every update when the pool trusts no signer', async () => {
    const result = await runImport(pkg([{ folder: 'CPE', model: 'N1', version: '1.0', image: image() }]), {
      UCU_TRUSTED_CA_FILE: undefined,
    });
    expect(result.error_code).toBe('BadSignature');
    expect(result.error_message).toContain('UCU_TRUSTED_CA_FILE is not set');
  });

  describe('DDI updates (ddi.md, "Packages")', () => {
    let swus = 0;
    const swu = (options: Partial<TestSwuOptions> = {}) =>
      buildTestSwu(join(work, `swu-${++swus}`), pki, { version: '2.4.1', targetDir: join(work, 'target'), ...options });
    /** A DDI update of Contoso Gateway-1 whose image is the .swu, without a catalog unless told. */
    const ddi = (model: string, image: Buffer, overrides: Partial<TestUpdate> = {}): TestUpdate => ({
      folder: 'gw',
      deviceType: 'DDI',
      brand: 'Contoso',
      model,
      revision: '1.0',
      locale: 'Neutral',
      updateType: 'os',
      version: '2.4.1',
      image,
      imageName: 'gateway-2.4.1.swu',
      catalog: false,
      ...overrides,
    });
    const ddiRule = async (model: string) =>
      (
        await dataSource.query(
          `SELECT id, pending_version FROM rules WHERE device_type = 'DDI' AND brand = 'Contoso' AND model = $1 AND revision = '1.0'
              AND locale = 'Neutral' AND update_type = 'os'`,
          [model],
        )
      )[0];

    it('imports a .swu signed itself without a catalog, keeping its SHA-1 and MD5 beside its SHA-256', async () => {
      const image = swu();
      const result = await runImport(pkg([ddi('Gateway-1', image.bytes)]));
      expect(result).toMatchObject({ status: 'succeeded', error_code: null });
      expect((await ddiRule('Gateway-1')).pending_version).toBe('2.4.1');
      const files = await dataSource.query(
        `SELECT f.name, f.role, fi.sha256, fi.sha1, fi.md5 FROM update_version_files f JOIN files fi ON fi.sha256 = f.sha256
           JOIN update_versions v ON v.id = f.update_version_id WHERE v.import_id = $1`,
        [result.importId],
      );
      expect(files).toEqual([{ name: 'gateway-2.4.1.swu', role: 'image', sha256: image.sha256, sha1: image.sha1, md5: image.md5 }]);
    });

    it('imports an unsigned .swu that has a catalog, as any update', async () => {
      const image = swu({ signer: null });
      expect((await runImport(pkg([ddi('Gateway-2', image.bytes, { catalog: true })]))).status).toBe('succeeded');
    });

    it.each([
      ['a file that is no cpio archive', () => randomBytes(5000), 'BadSwu', /^gw\\gateway-2\.4\.1\.swu: NotCpio: /],
      ['sw-description not first', () => swu({ order: ['hello.txt', 'sw-description', 'sw-description.sig'] }).bytes, 'BadSwu', /DescriptionNotFirst: its first member is "hello.txt"/],
      ['sw-description changed after signing', () => swu({ tamperDescription: true }).bytes, 'BadSignature', /HashMismatch: .*sw-description\.sig/],
      ['a signer the pool does not trust', () => swu({ signer: pki.rogue }).bytes, 'BadSignature', /UntrustedSigner/],
      ['a signer with codeSigning alone, which SWUpdate refuses', () => swu({ signer: pki.codeSigningOnly }).bytes, 'BadSignature', /CertificateNotAllowed: .*emailProtection/],
      ['no signature and no catalog', () => swu({ signer: null }).bytes, 'BadSignature', /NotSigned: the image has no sw-description\.sig and the update names no <Catalog>/],
    ])('refuses %s, saying why', async (_, make, code, message) => {
      const result = await runImport(pkg([ddi('Refused', make())]));
      expect(result).toMatchObject({ status: 'failed', error_code: code });
      expect(result.error_message).toMatch(message);
      expect(await ddiRule('Refused')).toBeUndefined();
    });

    it('takes an unsigned .swu where the pool allows unsigned updates, never a changed one', async () => {
      expect((await runImport(pkg([ddi('Lab-1', swu({ signer: null }).bytes)]), { UCU_ALLOW_UNSIGNED_UPDATES: true })).status).toBe('succeeded');
      const changed = await runImport(pkg([ddi('Lab-2', swu({ tamperDescription: true }).bytes)]), { UCU_ALLOW_UNSIGNED_UPDATES: true });
      expect(changed.error_code).toBe('BadSignature');
      const notCpio = await runImport(pkg([ddi('Lab-3', randomBytes(100))]), { UCU_ALLOW_UNSIGNED_UPDATES: true });
      expect(notCpio.error_code).toBe('BadSwu');
    });
  });

  it('keeps the SHA-1 and MD5 of every stored file', async () => {
    const [{ missing }] = await dataSource.query(`SELECT count(*)::int AS missing FROM files WHERE sha1 IS NULL OR md5 IS NULL`);
    expect(missing).toBe(0);
  });

  it('refuses a corrupt cabinet and conflicting versions, naming the reason', async () => {
    const cab = pkg([{ folder: 'CPE', model: 'K1', version: '1.0', image: image() }]);
    const truncated = await runImport(cab.subarray(0, cab.length - 100));
    expect(truncated.error_code).toBe('BadCabinet');
    const conflicting = await runImport(
      pkg([
        { folder: 'X', model: 'K2', version: '1.0', image: image() },
        { folder: 'Y', model: 'K2', version: '1.1', image: image() },
      ]),
    );
    expect(conflicting.error_code).toBe('ConflictingVersions');
  });

  it("refuses Microsoft's package forms with MicrosoftPackageFormat, saying what it found and how to repackage", async () => {
    const updateInfo = Buffer.from('<?xml version="1.0"?><Updates><Updates><Update version="4.0.7577.4372" Name="CX600"/></Updates></Updates>');
    const microsoftCab = writeCab([
      { name: 'updateInfo.xml', data: updateInfo },
      { name: 'CX600\\CPE.nbt', data: image() },
    ], { compression: 'mszip' });
    const cab = await runImport(microsoftCab);
    expect([cab.status, cab.error_code]).toEqual(['failed', 'MicrosoftPackageFormat']);
    expect(cab.error_message).toContain('updateInfo.xml');
    expect(cab.error_message).toContain('version 4.0.7577.4372');
    expect(cab.error_message).toContain('ucupdates new-package');

    // A self-extracting program with that cabinet inside, as UCUpdates.exe is.
    const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(5000).map((byte) => (byte === 0x4d ? 0 : byte)), microsoftCab, randomBytes(300)]);
    const program = await runImport(exe);
    expect([program.status, program.error_code]).toEqual(['failed', 'MicrosoftPackageFormat']);
    expect(program.error_message).toContain('Windows program with a cabinet inside at byte 5002');
    expect(program.error_message).toContain('version 4.0.7577.4372');

    // A program without a cabinet is simply not a cabinet.
    const plain = await runImport(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4000, 1)]));
    expect(plain.error_code).toBe('BadCabinet');
  });

  it('refuses a version longer than 20 characters', async () => {
    const refused = await runImport(pkg([{ folder: 'CPE', model: 'L1', version: '4.0.7577.123456789012', image: image() }]));
    expect(refused.error_code).toBe('BadDescription');
    expect(refused.error_message).toContain('it has 21 characters; at most 20 are allowed');
  });

  it('checks an Authenticode signature on the cabinet when it has one', async () => {
    const dir = join(work, 'authenticode');
    const cab = pkg([{ folder: 'CPE', model: 'S1', version: '1.0', image: image() }]);
    const sign = (signer: Issued, name: string) => {
      mkdirSync(dir, { recursive: true });
      const input = join(dir, `${name}-in.cab`);
      writeFileSync(input, cab);
      execFileSync('osslsigncode', ['sign', '-certs', signer.certPath, '-key', signer.keyPath, '-in', input, '-out', join(dir, `${name}.cab`)], {
        stdio: 'pipe',
      });
      return readFileSync(join(dir, `${name}.cab`));
    };
    expect((await runImport(sign(pki.signer, 'trusted'))).status).toBe('succeeded');
    const rogue = await runImport(sign(pki.rogue, 'rogue'));
    expect(rogue).toMatchObject({ status: 'failed', error_code: 'BadSignature' });
    expect(rogue.error_message).toMatch(/^the cabinet: UntrustedSigner/);
  });
});

