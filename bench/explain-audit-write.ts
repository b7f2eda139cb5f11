import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { INVENTORY_TOUCH_MINUTES } from '../libs/database/src/repositories/request-audit.repository';

/**
 * The plan of the node's audit write (the request-audit rows and the inventory upsert, one
 * statement per group-commit batch: libs/database/src/repositories/request-audit.repository.ts), under
 * EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back, on a database a storm has
 * filled (docs/performance.md):
 *
 *   node bench/run-script.js explain-audit-write.ts [database URL] [rows per batch] [share of known devices]
 *
 * The statement is read from the repository's source, so the plan is of the SQL the node runs. A
 * share of the batch (half by default; 0 for a storm of phones new to the pool) are devices the
 * inventory holds, reporting a new version (updates), the rest new ones (inserts).
 */
async function main(): Promise<void> {
  const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/ucupdates_bench_replicate';
  const rows = Number(process.argv[3] ?? 200);
  const knownShare = Number(process.argv[4] ?? 0.5);
  const source = readFileSync(join(__dirname, '../libs/database/src/repositories/request-audit.repository.ts'), 'utf8');
  const sql = /const WRITE_BATCH = `([\s\S]*?)`;/.exec(source)?.[1];
  if (!sql) throw new Error('WRITE_BATCH not found in request-audit.repository.ts');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { rows: counts } = await db.query<{ audit: string; devices: string }>('SELECT (SELECT count(*) FROM request_audit) AS audit, (SELECT count(*) FROM devices) AS devices');
    const { rows: known } = await db.query<{ device_key: string; mac_address: string | null; serial_number: string | null }>(
      'SELECT device_key, mac_address, serial_number FROM devices ORDER BY random() LIMIT $1',
      [Math.floor(rows * knownShare)],
    );
    const now = new Date().toISOString();
    const batch = Array.from({ length: rows }, (_, i) => {
      const existing = known[i];
      const mac = existing ? existing.mac_address : `02-00-00-${(i >> 16).toString(16).padStart(2, '0')}-${((i >> 8) & 255).toString(16).padStart(2, '0')}-${(i & 255).toString(16).padStart(2, '0')}`.toUpperCase();
      const modules = [{ updateType: 'CPE', version: '4.0.7577.4000' }];
      return {
        request_id: randomUUID(), at: now, node_id: 'node-1', address: '127.0.0.1', device_type: 'UCPhone', mac_address: mac,
        serial_number: existing?.serial_number ?? null, vendor: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU',
        request_modules: modules.map((m) => ({ ...m, filename: 'CPE.nbt', timestamp: now })), response_modules: [], user_id: null,
        external: false, status: 200, device_key: existing?.device_key ?? `mac:${mac}`, modules, is_test_device: false, inventory: true,
      };
    });
    await db.query('BEGIN');
    const { rows: plan } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, TIMING) ${sql}`, [JSON.stringify(batch), INVENTORY_TOUCH_MINUTES]);
    await db.query('ROLLBACK');
    process.stdout.write(`${url}: ${counts[0].audit} audit rows, ${counts[0].devices} devices; a batch of ${rows} (${known.length} known devices)\n\n`);
    process.stdout.write(`${plan.map((row) => row['QUERY PLAN']).join('\n')}\n`);
  } finally {
    await db.end();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
