import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet, portAnswers } from '../../tools/local-pool/processes';
import { ROOT, suiteResources, testServices } from '../support/test-environment';

const suite = suiteResources(__filename);

/** `npm start`'s ports (8080…) shifted into this suite's block (test/support/test-resources.js). */
const OFFSET = suite.port(0) - 8000;
const LB = `http://127.0.0.1:${8080 + OFFSET}`;

/**
 * `npm start` itself, beside the other suites: the runner on shifted ports, with the test MinIO
 * as its object store. It must print the URLs and a token that works, refuse a second runner, and
 * take everything down on Ctrl-C.
 */
describe('npm start (tools/local-pool/pool-cli.js start)', () => {
  const stateDir = join(testServices.stateDir, 'runner');
  let env: NodeJS.ProcessEnv;
  let runner: ChildProcess;
  let output = '';

  beforeAll(async () => {
    env = {
      ...process.env,
      POOL_PORT_OFFSET: String(OFFSET),
      POOL_STATE_DIR: stateDir,
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      ...testServices.s3,
      S3_BUCKET: 'ucupdates-runner',
    };
    delete env.UCU_BOOTSTRAP_ADMIN_TOKEN;
    runner = spawn(process.execPath, ['tools/local-pool/pool-cli.js', 'start'], { cwd: ROOT, env });
    runner.stdout!.on('data', (chunk) => (output += chunk));
    runner.stderr!.on('data', (chunk) => (output += chunk));
    await until(
      () => output.includes('Ctrl-C stops everything') || runner.exitCode !== null,
      120_000,
      () => `runner said:\n${output}`,
    );
    expect([runner.exitCode, output]).toEqual([null, expect.stringContaining('the pool is up')]);
  }, 130_000);

  afterAll(() => {
    if (runner.exitCode === null) {
      runner.kill('SIGKILL');
    }
  });

  it('prints the listeners and an admin token that works, and the pool has three active nodes', async () => {
    expect(output).toContain(`internal listener (phones inside, admin API)   ${LB}`);
    expect(output).toContain(`external listener (signed-in phones)           http://127.0.0.1:${8081 + OFFSET}`);
    const token = /admin token\s+(ucu_\S+)/.exec(output)?.[1];
    expect(token).toBeDefined();
    expect((await httpGet(`${LB}/readyz`)).status).toBe(200);
    const nodes = await httpGet(`${LB}/api/v1/nodes`, { Authorization: `Bearer ${token}` });
    expect(nodes.status).toBe(200);
    const items = (JSON.parse(nodes.body) as { items: { id: string; status: string }[] }).items;
    expect(items.map((node) => `${node.id}:${node.status}`)).toEqual(['node-1:active', 'node-2:active', 'node-3:active']);
  });

  it('refuses a second runner on the same state instead of fighting over the ports', async () => {
    const second = spawn(process.execPath, ['tools/local-pool/pool-cli.js', 'start'], { cwd: ROOT, env });
    let said = '';
    second.stderr!.on('data', (chunk) => (said += chunk));
    const code = await new Promise((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(said).toContain(`a pool runner (npm start) is already running as pid ${runner.pid}`);
    expect((await httpGet(`${LB}/healthz`)).status).toBe(200);
  }, 30_000);

  it('stops everything it started on Ctrl-C', async () => {
    runner.kill('SIGINT');
    const code = await new Promise((resolve) => runner.once('exit', resolve));
    expect(code).toBe(130);
    for (const port of [8080, 8081, 8404, 8101, 8102, 8103, 8201].map((port) => port + OFFSET)) {
      expect([port, await portAnswers('127.0.0.1', port)]).toEqual([port, false]);
    }
    expect(existsSync(join(stateDir, 'runner.pid'))).toBe(false);
  }, 60_000);
});

async function until(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out; ${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
