// @ts-check
'use strict';

/**
 * Every database, Redis database and port that a test suite, a benchmark or the runners use, in
 * one table (docs/testing.md). Suites and benchmarks take theirs from here instead of picking
 * numbers by hand; test/support/test-resources.spec.ts fails when two of them share one.
 *
 * A new suite adds a line to SUITES (key: its file) with what it needs:
 *   database  a Postgres database on the shared server, recreated by the suite
 *   redisDb   a database of the test runner's own Redis (1..RUNNER.redisDatabases-1)
 *   ports     a block of ports [from, to] for the servers it starts (pool: poolPorts(block))
 */

/**
 * @typedef {[number, number]} PortBlock  first and last port, inclusive
 * @typedef {{ database?: string, redisDb?: number, ports?: PortBlock }} Resources
 */

/** Ports from..from+199: room for a pool of up to nine nodes and a few servers of the suite's own. */
function block(/** @type {number} */ from) {
  return /** @type {PortBlock} */ ([from, from + 199]);
}

/**
 * What `npm test` (tools/local-pool/pool-cli.js) runs for the suites: a MinIO and a Redis of its
 * own (so no suite touches the machine's Redis, where `npm start` and the benchmarks keep their
 * data), and the databases ucupdates_test* on the machine's Postgres.
 */
const RUNNER = Object.freeze({
  database: 'ucupdates_test',
  ports: /** @type {PortBlock} */ ([19000, 19019]),
  minioPort: 19000,
  minioConsolePort: 19001,
  redisPort: 19010,
  /** Enough for one database per suite. */
  redisDatabases: 64,
});

/** The suites run by `npm test`, by file. Their redisDb is on the runner's Redis (RUNNER.redisPort). */
const SUITES = Object.freeze(
  /** @type {Record<string, Resources>} */ ({
    'test/integration/admin-queries.int-spec.ts': { database: 'ucupdates_test_admin_queries', redisDb: 36 },
    'test/integration/cab-large.int-spec.ts': {},
    'test/integration/configuration.int-spec.ts': { database: 'ucupdates_test_configuration', redisDb: 11 },
    'test/integration/control-panel-session.int-spec.ts': { database: 'ucupdates_test_panel', redisDb: 12 },
    // Each its own slapd (test/support/test-directory.ts) on ports of its block.
    'test/integration/directory-admin.int-spec.ts': { database: 'ucupdates_test_directory_admin', redisDb: 29, ports: block(16000) },
    'test/integration/directory-sign-in.int-spec.ts': { database: 'ucupdates_test_directory_sign_in', redisDb: 27, ports: block(15800) },
    'test/integration/ddi-targets.int-spec.ts': { database: 'ucupdates_test_ddi_targets', redisDb: 52 },
    'test/integration/ddi.int-spec.ts': { database: 'ucupdates_test_ddi', redisDb: 37 },
    'test/integration/device-logs.int-spec.ts': { database: 'ucupdates_test_device_logs', redisDb: 8 },
    'test/integration/devices.int-spec.ts': { database: 'ucupdates_test_devices', redisDb: 13 },
    'test/integration/docker-compose.int-spec.ts': {},
    'test/integration/files-purge.int-spec.ts': { database: 'ucupdates_test_purge', redisDb: 14 },
    // Offline: helm and tools/manifest-check only.
    'test/integration/helm-chart.int-spec.ts': {},
    'test/integration/frontend.int-spec.ts': { database: 'ucupdates_test_frontend', redisDb: 15 },
    'test/integration/import.int-spec.ts': { database: 'ucupdates_test_import', redisDb: 16 },
    'test/integration/inventory.int-spec.ts': { database: 'ucupdates_test_inventory', redisDb: 47 },
    'test/integration/pool-activity.int-spec.ts': { database: 'ucupdates_test_pool_activity', redisDb: 58 },
    'test/integration/jobs.int-spec.ts': { database: 'ucupdates_test_jobs', redisDb: 3 },
    'test/integration/ldap-directory.int-spec.ts': { ports: block(15600) },
    'test/integration/migrations.int-spec.ts': { database: 'ucupdates_test_migrations' },
    'test/integration/openapi.int-spec.ts': { database: 'ucupdates_test_openapi', redisDb: 17 },
    'test/integration/phone-protocol.int-spec.ts': { database: 'ucupdates_test_phone_protocol', redisDb: 18 },
    'test/integration/phone-users.int-spec.ts': { database: 'ucupdates_test_phone_users', redisDb: 19 },
    'test/integration/pool-state.int-spec.ts': { database: 'ucupdates_test_pool_state', redisDb: 7 },
    // Its own Postgres server on a port of its block.
    'test/integration/postgres-outage.int-spec.ts': { redisDb: 25, ports: block(15000) },
    // Its own Redis server on a port of its block.
    'test/integration/redis-outage.int-spec.ts': { database: 'ucupdates_test_redis_outage', ports: block(15200) },
    'test/integration/replication-redis-restart.int-spec.ts': { ports: block(15400) },
    'test/integration/replication.int-spec.ts': { database: 'ucupdates_test_replication', redisDb: 9 },
    'test/integration/request-audit.int-spec.ts': { database: 'ucupdates_test_request_audit', redisDb: 20 },
    'test/integration/retired-versions.int-spec.ts': { database: 'ucupdates_test_retired_versions', redisDb: 28 },
    'test/integration/request-audit-files.int-spec.ts': { database: 'ucupdates_test_request_audit_files', redisDb: 26 },
    'test/integration/rules.int-spec.ts': { database: 'ucupdates_test_rules', redisDb: 21 },
    'test/integration/security.int-spec.ts': { database: 'ucupdates_test_security', redisDb: 22 },
    // SeaweedFS of its own: S3, master, volume server and filer on 190-193 of its block, and
    // SeaweedFS's gRPC listeners on those + 10000 (30090-30093, free).
    'test/integration/storage.int-spec.ts': { ports: block(19900) },
    // Debian's swupdate and cpio, offline: no database, Redis or ports.
    'test/integration/swu-image.int-spec.ts': {},
    'test/integration/test-devices.int-spec.ts': { database: 'ucupdates_test_test_devices', redisDb: 23 },
    'test/integration/tokens-audit.int-spec.ts': { database: 'ucupdates_test_tokens', redisDb: 24 },
    'test/integration/updates.int-spec.ts': { database: 'ucupdates_test_updates', redisDb: 5 },

    // End-to-end suites start pools: their ports stay below 32768, Linux's ephemeral range, where
    // a load test's outgoing connections would take them.
    'test/e2e/cli.e2e-spec.ts': { database: 'ucupdates_e2e_cli', redisDb: 6, ports: block(21000) },
    'test/e2e/control-panel.e2e-spec.ts': { database: 'ucupdates_e2e_cp', redisDb: 33, ports: block(24000) },
    // Its own Postgres, Redis and MinIO on ports of its block.
    'test/e2e/ddi-swupdate.e2e-spec.ts': { database: 'ucupdates_e2e_ddi', redisDb: 38, ports: block(29000) },
    'test/e2e/ddi-panel.e2e-spec.ts': { database: 'ucupdates_e2e_ddi_panel', redisDb: 57, ports: block(30400) },
    'test/e2e/faults.e2e-spec.ts': { ports: block(25000) },
    'test/e2e/inventory-panel.e2e-spec.ts': { database: 'ucupdates_e2e_inventory', redisDb: 48, ports: block(29600) },
    'test/e2e/hostile.e2e-spec.ts': { database: 'ucupdates_e2e_hostile', redisDb: 34, ports: block(27000) },
    'test/e2e/large-upload.e2e-spec.ts': { database: 'ucupdates_e2e_large_upload', redisDb: 10, ports: block(26000) },
    // `npm start` shifted by POOL_PORT_OFFSET = from - 8000: 8080..8404 + offset.
    'test/e2e/pool-runner.e2e-spec.ts': { database: 'ucupdates_e2e_runner', redisDb: 4, ports: [28000, 28499] },
    'test/e2e/pool.e2e-spec.ts': { database: 'ucupdates_e2e', redisDb: 2, ports: block(18000) },
    'test/e2e/nodes.e2e-spec.ts': { database: 'ucupdates_e2e_nodes', redisDb: 41, ports: block(29400) },
    // Its own Redis on a port of its block.
    'test/e2e/replication.e2e-spec.ts': { database: 'ucupdates_e2e_replication', ports: block(23000) },
    'test/e2e/simulator.e2e-spec.ts': { database: 'ucupdates_e2e_sim', redisDb: 35, ports: block(22000) },
  }),
);

/**
 * What runs beside `npm test` on the machine's own Postgres and Redis: `npm start` and the
 * benchmarks (bench/README.md). Their redisDb is on the machine's Redis, never the runner's.
 */
const OUTSIDE = Object.freeze(
  /** @type {Record<string, Resources>} */ ({
    // 8080, 8081, 8404, nodes 8101.. and 8201.., MinIO 9000 and 9001 (docs/local-pool.md).
    'npm start': { database: 'ucupdates', redisDb: 0, ports: [8080, 9001] },
    'npm run bench:check': { database: 'ucupdates_bench', redisDb: 8, ports: [19700, 19719] },
    'npm run bench:replicate': { database: 'ucupdates_bench_replicate', redisDb: 12, ports: [19720, 19899] },
  }),
);

/**
 * The ports of a pool started in `ports` (tools/local-pool/local-pool.js): the listeners first,
 * node i on nodeBasePort+i (internal) and nodeBasePort+100+i (external).
 */
function poolPorts(/** @type {PortBlock} */ ports) {
  const [from] = ports;
  return { internalPort: from, externalPort: from + 1, statsPort: from + 2, nodeBasePort: from + 10 };
}

/** The n-th port of a block (servers of a suite's own: n from 190 up, above a pool's). */
function portOf(/** @type {PortBlock} */ ports, /** @type {number} */ n) {
  const port = ports[0] + n;
  if (port > ports[1]) throw new Error(`port ${n} of the block ${ports[0]}-${ports[1]} lies outside it`);
  return port;
}

/** The resources of the suite in `file` (a path under the repository, or absolute). */
function resourcesOf(/** @type {string} */ file) {
  const key = file.replace(/\\/g, '/').replace(/^.*?\/?(test\/(integration|e2e)\/)/, '$1');
  const found = SUITES[key];
  if (!found) {
    throw new Error(`${key} has no line in test/support/test-resources.js: add one with the resources it uses`);
  }
  return found;
}

/**
 * Every clash in `tables` (default: the runner, SUITES and OUTSIDE): a database, a Redis database
 * of one server, or a port used twice. Empty when there is none.
 */
function findClashes(tables = { runner: { 'npm test': RUNNER }, suites: SUITES, outside: OUTSIDE }) {
  /** @type {string[]} */
  const clashes = [];
  /** @type {Map<string, string>} */
  const databases = new Map();
  /** @type {Map<string, string>} */
  const redisDbs = new Map();
  /** @type {{ owner: string, from: number, to: number }[]} */
  const blocks = [];
  for (const [group, table] of Object.entries(tables)) {
    // The suites' Redis databases are on the runner's server, the others' on the machine's.
    const redisServer = group === 'suites' ? 'runner' : 'machine';
    for (const [owner, resources] of Object.entries(table)) {
      if (resources.database !== undefined) {
        const other = databases.get(resources.database);
        if (other) clashes.push(`database ${resources.database}: ${other} and ${owner}`);
        databases.set(resources.database, owner);
      }
      if (resources.redisDb !== undefined) {
        const key = `${redisServer} ${resources.redisDb}`;
        const other = redisDbs.get(key);
        if (other) clashes.push(`Redis db ${resources.redisDb} (${redisServer}'s Redis): ${other} and ${owner}`);
        redisDbs.set(key, owner);
        if (redisServer === 'runner' && (resources.redisDb < 1 || resources.redisDb >= RUNNER.redisDatabases)) {
          clashes.push(`Redis db ${resources.redisDb} of ${owner} is outside 1..${RUNNER.redisDatabases - 1}`);
        }
      }
      if (resources.ports) {
        const [from, to] = resources.ports;
        if (!(from <= to)) clashes.push(`ports of ${owner}: ${from}-${to} is not a block`);
        for (const other of blocks) {
          if (from <= other.to && other.from <= to) {
            clashes.push(`ports ${Math.max(from, other.from)}-${Math.min(to, other.to)}: ${other.owner} and ${owner}`);
          }
        }
        blocks.push({ owner, from, to });
      }
    }
  }
  return clashes;
}

module.exports = { RUNNER, SUITES, OUTSIDE, block, poolPorts, portOf, resourcesOf, findClashes };
