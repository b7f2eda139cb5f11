import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { request } from '../../bench/support/http-client';
import { CLIENT_KEEP_ALIVE_SECONDS as HAPROXY_KEEP_ALIVE_SECONDS } from '../../tools/local-pool/haproxy-config';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { useTestPool } from '../support/harness';
import { buildPackage } from '../support/package-builder';
import { type PoolPki } from '../support/test-pki';
import { sleep } from '../support/waiting';

/**
 * A 200 MB package uploaded through HAProxy at once after the pool is ready, as
 * `npm run bench:replicate` does (docs/performance.md). The client had asked the pool something
 * before (a keep-alive connection, as Node's global agent keeps it) and then built the package
 * with its event loop busy for longer than HAProxy keeps an idle connection: the upload must go
 * out on a fresh connection, not on the one HAProxy has closed meanwhile (`write EPIPE`).
 */
describe('a 200 MB upload through HAProxy right after the pool is ready', () => {
  const harness = useTestPool(__filename, { name: 'e2e-large-upload', nodes: 1 });
  const TOKEN = harness.token;
  let pool: LocalPool;
  let pki: PoolPki;
  beforeAll(() => void ({ pool, pki } = harness));

  it('imports it, though the client had a connection to the pool that went idle meanwhile', async () => {
    // A request on Node's global (keep-alive) agent leaves an idle connection to HAProxy behind.
    const ready = await new Promise<{ status: number; keepAlive: string }>((resolve, reject) => {
      httpGet(`${pool.internalUrl}/readyz`, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, keepAlive: String(response.headers['keep-alive']) }));
      }).on('error', reject);
    });
    expect(ready.status).toBe(200);
    // What the pool announces is what HAProxy keeps: a client that trusts it never reuses a closed connection.
    expect(ready.keepAlive).toBe(`timeout=${HAPROXY_KEEP_ALIVE_SECONDS}`);
    const idleSince = Date.now();

    // The package, built as the benchmark builds it (synchronously: the event loop sees nothing meanwhile).
    const image = randomBytes(200_000_000);
    const cab = buildPackage(join(harness.stateDir, 'package'), pki, [
      { folder: 'BIG', updateType: 'BIG', version: '1.0.0.1', image },
    ]);
    // However fast the machine, HAProxy has closed the idle connection by now.
    while (Date.now() - idleSince < (HAPROXY_KEEP_ALIVE_SECONDS + 1) * 1000) {
      // busy, as a longer build would be
    }

    const auth = { Authorization: `Bearer ${TOKEN}` };
    const uploaded = await request(`${pool.internalUrl}/api/v1/updates`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/vnd.ms-cab-compressed', 'Content-Length': String(cab.length) },
      body: cab,
    });
    expect([uploaded.status, uploaded.body.toString().slice(0, 300)]).toEqual([202, expect.any(String)]);
    const { importId } = JSON.parse(uploaded.body.toString()) as { importId: string };

    let view = { status: 'queued' } as { status: string; error: unknown; updates: { updateType: string; version: string }[] };
    const deadline = Date.now() + 120_000;
    while ((view.status === 'queued' || view.status === 'processing') && Date.now() < deadline) {
      await sleep(250);
      view = JSON.parse((await request(`${pool.internalUrl}/api/v1/imports/${importId}`, { headers: auth })).body.toString());
    }
    expect(view).toMatchObject({ status: 'succeeded', error: null });
    // Imported means every byte arrived: the catalog's signature covers the image.
    expect(view.updates.map((update) => `${update.updateType} ${update.version}`)).toEqual(['BIG 1.0.0.1']);
  }, 240_000);
});
