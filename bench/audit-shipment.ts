import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { inventoryGroupFunction } from '../libs/database/src/migrations/1797600000000-inventory-group-inlined';
import { type AnsweredCheck, auditRow, INVENTORY_TOUCH_MINUTES, RequestAuditRepository } from '../libs/database/src/repositories/request-audit.repository';
import { cpuSeconds, postgresCpuSeconds } from './support/process-sampler';

/**
 * What Postgres spends on one audit shipment (the node's `recordRows` statement), per row, for
 * phones the inventory holds (bench:check: audit inserts only) and for phones new to the pool (a
 * storm: audit insert, inventory insert, the inventory_group trigger), in the database named, on
 * tables filled first to the size given:
 *
 *   node bench/run-script.js audit-shipment.ts [database URL] [rows per shipment] [shipments per round] [rounds]
 *
 * Each shipment is committed (as the node's are). The CPU is the statement's backend's own, read
 * from /proc before and after a round, and every Postgres process's (the WAL writer, checkpointer
 * and autovacuum included); the round's wall time besides. Run it under the test lock.
 */
const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/ucupdates_bench_shipment';
const rowsPerShipment = Number(process.argv[3] ?? 150);
const shipmentsPerRound = Number(process.argv[4] ?? 40);
const rounds = Number(process.argv[5] ?? 3);
const DEVICES = Number(process.env.SHIPMENT_DEVICES ?? 20_000);
const AUDIT_ROWS = Number(process.env.SHIPMENT_AUDIT_ROWS ?? 70_000);
function mac(n: number): string {
  const hex = n.toString(16).padStart(10, '0').toUpperCase();
  return `02-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}-${hex.slice(6, 8)}-${hex.slice(8, 10)}`;
}

function check(device: number, at: Date): AnsweredCheck {
  return {
    requestId: randomUUID(),
    at,
    nodeId: 'node-1',
    address: `10.1.${(device >> 8) & 255}.${device & 255}`,
    request: {
      deviceType: 'UCPhone',
      macAddress: mac(device),
      serialNumber: null,
      vendor: 'Polycom',
      model: `CX${600 + (device % 7)}`,
      revision: 'Rev1',
      locale: 'ENU',
      modules: [
        { updateType: 'CPE', filename: 'CPE.nbt', version: '4.0.7577.4000', timestamp: '2026-11-20T08:00:00Z' },
        { updateType: 'BootROM', filename: 'BootROM.bin', version: '3.2.1.0', timestamp: '2026-11-20T08:00:00Z' },
      ],
    },
    responseModules: device % 2 === 0 ? [{ filename: 'CPE.nbt', catalog: 'Polycom/CX600', version: '4.0.7577.4100', timestamp: '2026-11-20T08:00:00Z' } as never] : [],
    userId: null,
    external: false,
    status: 200,
    isTestDevice: false,
    operation: 'UpdateCheck',
    ddi: null,
  };
}

export type Writer = (client: Client, rows: readonly string[]) => Promise<void>;

/** The repository's recordRows, as the node ships (on this script's connection). */
const repositoryWriter: Writer = async (client, rows) => {
  const runner = { connect: async () => client, release: async () => undefined, isReleased: false };
  const repository = Object.create(RequestAuditRepository.prototype) as RequestAuditRepository;
  Object.defineProperty(repository, 'manager', { value: { queryRunner: undefined, connection: { createQueryRunner: () => runner } } });
  await repository.recordRows(rows);
};

const WRITE_BATCH = /const WRITE_BATCH = `([\s\S]*?)`;/.exec(readFileSync(`${__dirname}/../libs/database/src/repositories/request-audit.repository.ts`, 'utf8'))![1];

/** The statement as text, parsed and planned by Postgres per shipment (how main shipped before the named statement). */
const textWriter: Writer = async (client, rows) => {
  await client.query(WRITE_BATCH, [`[${rows.join(',')}]`, INVENTORY_TOUCH_MINUTES]);
};

/** The inventory group function as migration 1797400000000 made it (not inlined), and as 1797600000000 makes it. */
const GROUP_FUNCTION_BEFORE = inventoryGroupFunction('');
const GROUP_FUNCTION_INLINED = inventoryGroupFunction('::text');

async function main(): Promise<void> {
  // Each mode: how the statement is sent, and which group function the trigger calls.
  const all: Record<string, { writer: Writer; group: string }> = {
    text: { writer: textWriter, group: GROUP_FUNCTION_BEFORE },
    'text+inlined-group': { writer: textWriter, group: GROUP_FUNCTION_INLINED },
    repository: { writer: repositoryWriter, group: GROUP_FUNCTION_BEFORE },
    'repository+inlined-group': { writer: repositoryWriter, group: GROUP_FUNCTION_INLINED },
  };
  const modes = (process.env.SHIPMENT_MODES ?? 'text,text+inlined-group,repository+inlined-group').split(',');
  const writers = Object.fromEntries(modes.map((mode) => [mode, all[mode]]));
  const db = new Client({ connectionString: url });
  await db.connect();
  const { rows: pidRows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const backend = pidRows[0].pid;
  let nextDevice = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices')).rows[0].n;
  // Fill: new devices up to DEVICES, then checks of them up to AUDIT_ROWS.
  while (nextDevice < DEVICES) {
    const n = Math.min(5000, DEVICES - nextDevice);
    const at = new Date();
    await textWriter(db, Array.from({ length: n }, (_, i) => auditRow(check(nextDevice + i, at), true)));
    nextDevice += n;
  }
  for (let audit = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM request_audit')).rows[0].n; audit < AUDIT_ROWS; audit += 5000) {
    const at = new Date();
    await textWriter(db, Array.from({ length: 5000 }, () => auditRow(check(Math.floor(Math.random() * DEVICES), at), false)));
  }
  await db.query('VACUUM ANALYZE request_audit');
  await db.query('VACUUM ANALYZE devices');
  const counts = (await db.query<{ audit: number; devices: number }>('SELECT (SELECT count(*) FROM request_audit)::int AS audit, (SELECT count(*) FROM devices)::int AS devices')).rows[0];
  process.stdout.write(`${url}: ${counts.audit} audit rows, ${counts.devices} devices; shipments of ${rowsPerShipment} rows, ${shipmentsPerRound} a round, ${rounds} rounds\n`);
  process.stdout.write(`writers: ${Object.keys(writers).join(', ')}; load average ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`);

  const results: Record<string, { backend: number[]; all: number[]; wall: number[]; node: number[] }> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of ['known', 'new'] as const) {
      for (const [name, { writer, group }] of Object.entries(writers)) {
        const shipments = Array.from({ length: shipmentsPerRound }, () => {
          const at = new Date();
          return Array.from({ length: rowsPerShipment }, () =>
            scenario === 'known' ? auditRow(check(Math.floor(Math.random() * DEVICES), at), false) : auditRow(check(nextDevice++, at), true),
          );
        });
        // Replacing the function invalidates the plans that use it (the trigger's cached expression among them).
        await db.query(group);
        const cpuBackend = cpuSeconds(backend);
        const cpuAll = postgresCpuSeconds();
        const nodeBefore = process.cpuUsage();
        const started = performance.now();
        for (const rows of shipments) await writer(db, rows);
        const wall = performance.now() - started;
        const node = process.cpuUsage(nodeBefore);
        const rows = shipmentsPerRound * rowsPerShipment;
        const key = `${scenario} ${name}`;
        results[key] ??= { backend: [], all: [], wall: [], node: [] };
        results[key].backend.push(((cpuSeconds(backend) - cpuBackend) / rows) * 1e6);
        results[key].all.push(((postgresCpuSeconds() - cpuAll) / rows) * 1e6);
        results[key].wall.push((wall / rows) * 1e3);
        results[key].node.push(((node.user + node.system) / rows));
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const fmt = (values: number[]) => `${median(values).toFixed(1)} (${values.map((v) => v.toFixed(0)).join('/')})`;
  process.stdout.write(`\nµs per row, median (each round)     backend CPU        all Postgres CPU    wall               this process's CPU\n`);
  for (const [key, r] of Object.entries(results)) {
    process.stdout.write(`${key.padEnd(34)} ${fmt(r.backend).padEnd(18)} ${fmt(r.all).padEnd(19)} ${fmt(r.wall).padEnd(18)} ${fmt(r.node)}\n`);
  }
  process.stdout.write(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
  await db.end();
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
