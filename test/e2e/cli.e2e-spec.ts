import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhoneIdentity } from '../../apps/sim/src/identities';
import { type CheckAnswer, parseCheckAnswer, updateCheckBody } from '../../apps/sim/src/phone-protocol';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { useTestPool } from '../support/harness';
import { buildPackage } from '../support/package-builder';
import { type PoolPki } from '../support/test-pki';
import { ROOT } from '../support/test-environment';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RuleJson {
  id: string;
  deviceType: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  updateType: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  restoreVersion: string | null;
}

/**
 * The built `ucupdates` binary against a real pool (two nodes behind HAProxy, on the real
 * Postgres, Redis and MinIO), on ports, a database, a Redis db and a bucket of its own so it runs
 * beside the other suites. The CLI is the one `npm run build` made (package.json's `bin`), which
 * the test runner builds before the suites run: its imports of the admin API's contract
 * (`@ucupdates/admin-api`) are resolved as in the installed tool.
 */
describe('the ucupdates CLI against a real pool', () => {
  const harness = useTestPool(__filename, {
    name: 'e2e-cli',
    nodes: 2,
    settings: {
      UCU_POOL_FQDN: 'pool.contoso.test',
      UCU_HEARTBEAT_INTERVAL_MS: '500',
      UCU_NODE_DOWN_AFTER_MS: '2000',
      UCU_SHUTDOWN_TIMEOUT_MS: '5000',
    },
  });
  const TOKEN = harness.token;
  const stateDir = harness.stateDir;
  const cliPath = join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
  let pool: LocalPool;
  let pki: PoolPki;
  beforeAll(() => void ({ pool, pki } = harness));

  const cli = (args: string[], options: { token?: string; url?: string; input?: string } = {}) =>
    new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], {
        cwd: stateDir,
        env: { PATH: process.env.PATH, UCU_URL: options.url ?? pool.internalUrl, UCU_TOKEN: options.token ?? TOKEN },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });

  /** Runs and expects exit 0, showing what the CLI said when it is not. */
  const ok = async (args: string[], options?: { token?: string; input?: string }): Promise<string> => {
    const run = await cli(args, options);
    expect({ args, code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ args, code: 0, stderr: '' });
    return run.stdout;
  };

  let importId: string;
  let cpeRule: RuleJson;

  it('answers --help, globally and per command, with exit 0', async () => {
    const global = await ok(['--help']);
    expect(global).toContain('import-update');
    expect(global).toContain('Exit codes:');
    expect(await ok(['get-rule', '--help'])).toContain('Usage: ucupdates get-rule');
  });

  it('imports a package, showing the upload, and lists the rules it touched', async () => {
    const cab = buildPackage(join(stateDir, 'package'), pki, [
      { folder: 'CPE', version: '4.0.7577.4372', image: randomBytes(300_000) },
      { folder: 'UCM', updateType: 'UCM', version: '1.2.3', image: randomBytes(20_000) },
    ]);
    const file = join(stateDir, 'UCUpdates.cab');
    writeFileSync(file, cab);

    const run = await cli(['import-update', file]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('Uploading UCUpdates.cab (') });
    importId = /import ([0-9a-f-]{36})/.exec(run.stderr)![1];
    expect(run.stdout).toContain(`Import ${importId} of UCUpdates.cab succeeded`);
    expect(run.stdout).toMatch(/RuleId +DeviceType +Brand +Model +Revision +Locale +UpdateType +Version/);
    expect(run.stdout).toMatch(/UCPhone +Polycom +CX600 +A +ENU +CPE +4\.0\.7577\.4372/);
    expect(run.stdout).toMatch(/UCPhone +Polycom +CX600 +A +ENU +UCM +1\.2\.3/);

    // The same bytes again: the first import, at once.
    const again = await cli(['import-update', file, '--no-wait', '--json']);
    expect([again.code, JSON.parse(again.stdout).importId]).toEqual([0, importId]);
    expect(again.stderr).toContain('These bytes were uploaded before');
  }, 60_000);

  it('prints the refusal and exits 1 for a package signed by an untrusted publisher', async () => {
    const cab = buildPackage(join(stateDir, 'rogue'), pki, [{ folder: 'CPE', version: '9.9.9.9', image: randomBytes(10_000), signedBy: 'rogue' }]);
    const file = join(stateDir, 'rogue.cab');
    writeFileSync(file, cab);
    const run = await cli(['import-update', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ucupdates: \w+: import [0-9a-f-]{36} of rogue\.cab was refused: /);
  }, 60_000);

  it('lists the rules as a table and as JSON, filtered with wildcards', async () => {
    const table = await ok(['get-rule', '--model', 'cx*']);
    const lines = table.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual([
      'Id',
      'DeviceType',
      'Brand',
      'Model',
      'Revision',
      'Locale',
      'UpdateType',
      'ApprovedVersion',
      'PendingVersion',
      'RestoreVersion',
    ]);
    expect(lines).toHaveLength(4);

    const rules = JSON.parse(await ok(['get-rule', '--json'])) as RuleJson[];
    expect(rules.map((rule) => [rule.updateType, rule.approvedVersion, rule.pendingVersion])).toEqual([
      ['CPE', null, '4.0.7577.4372'],
      ['UCM', null, '1.2.3'],
    ]);
    cpeRule = rules[0];
    expect(JSON.parse(await ok(['get-rule', '--update-type', 'UCM', '--json']))).toHaveLength(1);
    expect(await ok(['get-rule', `service:WebServer:pool.contoso.test/${cpeRule.id}`])).toContain(`Id                  : ${cpeRule.id}`);
  });

  it('approves a rule; get-rule then shows the version approved', async () => {
    // Forward-compatible: once approval waits for replication (NotReplicated), retry until it is done.
    let run = await cli(['approve-rule', cpeRule.id]);
    for (const deadline = Date.now() + 30_000; run.code === 5 && run.stderr.includes('NotReplicated') && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      run = await cli(['approve-rule', cpeRule.id]);
    }
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('ApprovedVersion     : 4.0.7577.4372');

    const [approved] = JSON.parse(await ok(['get-rule', '--update-type', 'CPE', '--json'])) as RuleJson[];
    expect([approved.approvedVersion, approved.pendingVersion]).toEqual(['4.0.7577.4372', null]);
    expect(await ok(['get-rule', '--update-type', 'CPE'])).toMatch(/CPE +4\.0\.7577\.4372\s*$/m);

    const again = await cli(['approve-rule', cpeRule.id]);
    expect([again.code, again.stderr]).toEqual([5, expect.stringContaining('ucupdates: NoPendingVersion: ')]);
  }, 60_000);

  it('exits 3 when a viewer token tries to approve, and 3 for an unknown token', async () => {
    const made = JSON.parse(await ok(['new-token', '--name', 'cli-viewer', '--role', 'viewer', '--json'])) as { id: string; token: string };
    expect(made.token).toMatch(/^ucu_/);
    expect((await cli(['get-rule'], { token: made.token })).code).toBe(0);

    const forbidden = await cli(['approve-rule', cpeRule.id], { token: made.token });
    expect([forbidden.code, forbidden.stderr]).toEqual([3, expect.stringContaining('ucupdates: Forbidden: this needs the operator role; the token has viewer (HTTP 403)')]);
    expect((await cli(['get-rule'], { token: 'not-a-token-of-this-pool' })).code).toBe(3);

    expect(await ok(['get-token'])).toContain('cli-viewer');
    await ok(['remove-token', made.id]);
    expect((await cli(['get-rule'], { token: made.token })).code).toBe(3);
  });

  it('exits 2 for an id that is not one, 4 for an id that names nothing', async () => {
    const malformed = await cli(['approve-rule', 'not-a-rule']);
    expect([malformed.code, malformed.stderr]).toEqual([2, expect.stringContaining('"not-a-rule" is not a rule id')]);
    const unknown = await cli(['remove-rule', randomUUID()]);
    expect([unknown.code, unknown.stderr]).toEqual([4, expect.stringContaining('ucupdates: NotFound: no rule')]);
    expect((await cli(['get-rule', '--brand'])).code).toBe(2);
  });

  it('adds, lists, changes and removes a test device', async () => {
    const device = JSON.parse(await ok(['new-test-device', '--name', 'Lab CX600', '--mac-address', '0004f2123456', '--json'])) as { id: string };
    expect(await ok(['get-test-device'])).toMatch(new RegExp(`${device.id} +global +Lab CX600 +MACAddress +00-04-F2-12-34-56`));

    const duplicate = await cli(['new-test-device', '--name', 'Lab CX600', '--serial-number', 'SN1']);
    expect(duplicate.code).toBe(5);
    const invalid = await cli(['new-test-device', '--name', 'Bad', '--mac-address', '01-02-03-04-05']);
    expect([invalid.code, invalid.stderr]).toEqual([1, expect.stringContaining('identifier: is not a valid MAC address')]);

    expect(await ok(['set-test-device', device.id, '--serial-number', 'SN-42', '--scope', 'site:Redmond'])).toContain('Identifier     : SN-42');
    expect(JSON.parse(await ok(['get-test-device', '--scope', 'site:Redmond', '--json']))).toEqual([
      { id: device.id, scope: 'site:Redmond', name: 'Lab CX600', identifierType: 'SerialNumber', identifier: 'SN-42' },
    ]);
    expect(await ok(['remove-test-device', device.id])).toBe(`Removed test device ${device.id}.\n`);
    expect(JSON.parse(await ok(['get-test-device', '--json']))).toEqual([]);
    expect((await cli(['remove-test-device', device.id])).code).toBe(4);
  });

  it('sets and shows the device update configuration', async () => {
    const set = await ok(['set-config', 'global', '--log-clean-up-interval', '30.00:00:00', '--valid-log-file-types', 'Watson,CELog', '--log-clean-up-time-of-day', 'none']);
    expect(set).toContain('LogCleanUpInterval     : 30.00:00:00');
    expect(JSON.parse(await ok(['get-config', 'global', '--json']))).toMatchObject({
      scope: 'global',
      logCleanUpInterval: '30.00:00:00',
      logCleanUpTimeOfDay: null,
      validLogFileTypes: ['Watson', 'CELog'],
    });
    await ok(['set-config', 'site:Redmond', '--max-log-file-size', '2048000']);
    const all = await ok(['get-config']);
    expect(all).toContain('Identity               : global');
    expect(all).toContain('Identity               : site:Redmond');
    expect(all).toContain('MaxLogFileSize         : 2048000');
    expect(JSON.parse(await ok(['get-config', 'effective', '--json'])).scope).toBe('global');

    const outOfRange = await cli(['set-config', 'global', '--log-flush-interval', '02:00:00']);
    expect([outOfRange.code, outOfRange.stderr]).toEqual([1, expect.stringContaining('logFlushInterval: must be a time span')]);
    await ok(['remove-config', 'site:Redmond']);
    expect((await cli(['get-config', 'site:Redmond'])).code).toBe(4);
  });

  it('clears the files no rule version uses', async () => {
    expect(await ok(['clear-files'])).toMatch(/^Removed \d+ files? no rule version uses\.\n$/);
  });

  it('adds and removes a phone user, the password from stdin', async () => {
    const user = JSON.parse(await ok(['new-phone-user', '--user-id', 'sip:alice@contoso.test', '--password-stdin', '--json'], { input: 'correct horse\n' })) as {
      id: string;
    };
    expect(await ok(['get-phone-user'])).toContain('sip:alice@contoso.test');
    await ok(['remove-phone-user', user.id]);
  });

  it('shows the nodes and the imports', async () => {
    expect(await ok(['get-node'])).toMatch(/node-1 +active[\s\S]*node-2 +active/);
    expect(await ok(['get-import', importId])).toContain('Status      : succeeded');
    const imports = JSON.parse(await ok(['get-import', '--json'])) as { status: string }[];
    expect(imports.map((each) => each.status).sort()).toEqual(['failed', 'succeeded']);
  });

  it('shows every change above in the admin audit', async () => {
    const changes = JSON.parse(await ok(['get-admin-audit', '--json'])) as { action: string; actor: string }[];
    // Every change made above; the pool's own (the worker's rule.import, …) may come beside them.
    expect([...new Set(changes.map((change) => change.action))]).toEqual(
      expect.arrayContaining([
        'update.upload',
        'rule.approve',
        'token.create',
        'token.delete',
        'testDevice.create',
        'testDevice.update',
        'testDevice.delete',
        'configuration.set',
        'configuration.remove',
        'files.purge',
        'phoneUser.create',
        'phoneUser.delete',
      ]),
    );
    const approvals = await ok(['get-admin-audit', '--action', 'rule.approve', '--since', new Date().toISOString().slice(0, 10)]);
    const ruleName = [cpeRule.deviceType, cpeRule.brand, cpeRule.model, cpeRule.revision, cpeRule.locale, cpeRule.updateType].join('/');
    expect(approvals).toMatch(new RegExp(`bootstrap +admin +rule\\.approve +${ruleName.replace(/\./g, '\\.')} +rule/${cpeRule.id} +node-[12]`));
    expect(await ok(['get-admin-audit', '--subject', ruleName.toLowerCase(), '--action', 'rule.approve'])).toContain(`rule/${cpeRule.id}`);
    expect(JSON.parse(await ok(['get-admin-audit', '--limit', '2', '--json']))).toHaveLength(2);
  });

  it('exits 6 when the pool cannot be reached', async () => {
    const run = await cli(['get-node'], { url: 'http://127.0.0.1:21999' });
    expect([run.code, run.stderr]).toEqual([6, 'ucupdates: Unreachable: cannot reach http://127.0.0.1:21999: ECONNREFUSED\n']);
  });

  it('makes a package with new-package that cabextract lists and openssl verifies; it imports, is approved and a phone downloads it', async () => {
    const dir = join(stateDir, 'new-package');
    mkdirSync(dir, { recursive: true });
    // Half random (stored deflate blocks), half repetitive (well compressed): both MSZIP block forms.
    const image = Buffer.concat([randomBytes(150_000), Buffer.alloc(150_000, 'CX3000 firmware ')]);
    const ucm = randomBytes(40_000);
    writeFileSync(join(dir, 'CPE.nbt'), image);
    writeFileSync(join(dir, 'UCM.nbt'), ucm);
    const opensslCatalog = join(dir, 'UCM.cat');
    execFileSync('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-in', join(dir, 'UCM.nbt'), '-signer', pki.signer.certPath, '-inkey', pki.signer.keyPath, '-out', opensslCatalog]);
    writeFileSync(
      join(dir, 'updates.json'),
      JSON.stringify([
        { image: 'CPE.nbt', brand: 'Polycom', model: 'CX3000', revision: 'A', locale: 'ENU', updateType: 'CPE', version: '4.0.7577.9000', description: 'made by new-package' },
        { image: 'UCM.nbt', catalog: 'UCM.cat', brand: 'Polycom', model: 'CX3000', revision: 'A', locale: 'ENU', updateType: 'UCM', version: '1.2.4' },
      ]),
    );
    const cab = join(dir, 'CX3000.cab');
    const made = await cli(['new-package', '-o', cab, '--manifest', join(dir, 'updates.json'), '--certificate', pki.signer.certPath, '--key', pki.signer.keyPath], { token: '' });
    expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`Wrote ${cab}`) });
    expect(made.stdout).toMatch(/1-CX3000-CPE +Polycom +CX3000 +A +ENU +CPE +4\.0\.7577\.9000 +CPE\.nbt +CPE\.cat \(signed here\)/);

    // cabextract lists and tests it (checksums and MSZIP blocks), and unpacks the same bytes.
    const listing = execFileSync('cabextract', ['-l', cab], { encoding: 'utf8' });
    for (const name of ['1-CX3000-CPE/update.xml', '1-CX3000-CPE/CPE.nbt', '1-CX3000-CPE/CPE.cat', '2-CX3000-UCM/update.xml', '2-CX3000-UCM/UCM.nbt', '2-CX3000-UCM/UCM.cat']) {
      expect(listing).toContain(name);
    }
    expect(execFileSync('cabextract', ['-t', cab], { encoding: 'utf8' })).toContain('All done, no errors.');
    const unpacked = join(dir, 'unpacked');
    execFileSync('cabextract', ['-q', '-d', unpacked, cab]);
    expect(readFileSync(join(unpacked, '1-CX3000-CPE', 'CPE.nbt')).equals(image)).toBe(true);
    expect(readFileSync(join(unpacked, '2-CX3000-UCM', 'UCM.cat')).equals(readFileSync(opensslCatalog))).toBe(true);
    expect(readFileSync(join(unpacked, '1-CX3000-CPE', 'update.xml'), 'utf8')).toContain('<Version>4.0.7577.9000</Version>');
    // The signature made here is one openssl accepts as a detached CMS signature over the image.
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(unpacked, '1-CX3000-CPE', 'CPE.cat'), '-content', join(unpacked, '1-CX3000-CPE', 'CPE.nbt'), '-CAfile', pki.caFile, '-purpose', 'any', '-out', '/dev/null'], { stdio: 'pipe' });

    // The pool imports it, signatures verified; the CPE rule is approved; a phone downloads the image.
    const imported = await cli(['import-update', cab, '--json']);
    expect({ code: imported.code }).toEqual({ code: 0 });
    const view = JSON.parse(imported.stdout) as { status: string; updates: { ruleId: string; updateType: string; version: string }[] };
    expect(view.status).toBe('succeeded');
    expect(view.updates.map((update) => `${update.updateType} ${update.version}`).sort()).toEqual(['CPE 4.0.7577.9000', 'UCM 1.2.4']);
    const cpe = view.updates.find((update) => update.updateType === 'CPE')!;
    let run = await cli(['approve-rule', cpe.ruleId]);
    for (const deadline = Date.now() + 30_000; run.code === 5 && run.stderr.includes('NotReplicated') && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      run = await cli(['approve-rule', cpe.ruleId]);
    }
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

    const phone: PhoneIdentity = { index: 0, deviceType: 'UCPhone', mac: '00-04-F2-C3-00-01', serial: 'SN-CX3000', brand: 'Polycom', model: 'CX3000', revision: 'A', locale: 'ENU', userId: null, testDevice: false, external: false, installed: { CPE: '4.0.7577.1' } };
    let answer: CheckAnswer = { numOfFiles: 0, modules: [] };
    for (const deadline = Date.now() + 10_000; answer.numOfFiles === 0 && Date.now() < deadline; ) {
      const response = await fetch(`${pool.internalUrl}/RequestHandler/ucdevice.upx`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        body: updateCheckBody(phone, { CPE: '4.0.7577.1' }, new Date().toISOString()),
      });
      expect(response.status).toBe(200);
      answer = parseCheckAnswer(await response.text());
      if (answer.numOfFiles === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const cpeModule = answer.modules.find((module) => module.updateType === 'CPE');
    expect(cpeModule?.version).toBe('4.0.7577.9000');
    const imageFile = cpeModule!.files.find((file) => file.name === 'CPE.nbt')!;
    const downloaded = Buffer.from(await (await fetch(imageFile.url)).arrayBuffer());
    expect(createHash('sha256').update(downloaded).digest('hex')).toBe(createHash('sha256').update(image).digest('hex'));
  }, 120_000);

  it('new-package refuses a version longer than 20 characters and a missing signer, exit 2, writing nothing', async () => {
    const dir = join(stateDir, 'new-package');
    const base = ['new-package', '--image', join(dir, 'CPE.nbt'), '--brand', 'Polycom', '--model', 'CX3000', '--revision', 'A', '--locale', 'ENU', '--update-type', 'CPE'];
    const long = await cli([...base, '-o', join(dir, 'long.cab'), '--version', '4.0.7577.123456789012', '--certificate', pki.signer.certPath, '--key', pki.signer.keyPath]);
    expect([long.code, long.stderr]).toEqual([2, expect.stringContaining('at most 20 are allowed')]);
    const unsigned = await cli([...base, '-o', join(dir, 'unsigned.cab'), '--version', '4.0.7577.1']);
    expect([unsigned.code, unsigned.stderr]).toEqual([2, expect.stringContaining('give --certificate and --key')]);
    const rogue = await cli([...base, '-o', join(dir, 'mismatch.cab'), '--version', '4.0.7577.1', '--certificate', pki.signer.certPath, '--key', pki.rogue.keyPath]);
    expect([rogue.code, rogue.stderr]).toEqual([2, expect.stringContaining("the key is not the certificate's key")]);
    expect(existsSync(join(dir, 'long.cab')) || existsSync(join(dir, 'unsigned.cab')) || existsSync(join(dir, 'mismatch.cab'))).toBe(false);
  });
});
