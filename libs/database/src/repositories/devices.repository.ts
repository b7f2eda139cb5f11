import type { EntityManager } from 'typeorm';
import type { DeviceModule } from '../entities';
import { fromMicros, micros, type TimeKey } from './keyset';
import { QueryLayer } from './query-layer';

/** A `devices` row as node-postgres gives it, with last_seen_at also as microseconds for cursors. */
export interface DeviceRow {
  id: string;
  mac_address: string | null;
  serial_number: string | null;
  controller_id: string | null;
  device_type: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  modules: DeviceModule[];
  is_test_device: boolean;
  first_seen_at: Date;
  last_seen_at: Date;
  last_seen_micros: string;
  last_node_id: string;
  last_address: string;
  last_user_id: string | null;
}

export interface DeviceRowFilters {
  model?: string;
  brand?: string;
  /** A device matches when any of its modules has this version. */
  version?: string;
  seenSince?: string;
}

export interface ComplianceRowFilters extends DeviceRowFilters {
  /** Only devices behind on this rule. */
  ruleId?: string;
}

/** A rule a device is behind on, as the compliance statement builds it (JSON, camel-cased). */
export interface BehindModule {
  ruleId: string;
  updateType: string;
  installedVersion: string | null;
  offeredVersion: string;
}

/** A device not on the version one of its rules offers it, and each rule it is behind on. */
export interface ComplianceRow extends DeviceRow {
  behind: BehindModule[];
}

/** How many devices share a value (counts come from JSON, so they are numbers). */
export interface CountRow {
  value: string;
  devices: number;
}

export interface VersionCountRow {
  updateType: string;
  version: string;
  devices: number;
}

export interface ModelVersionCountRow extends VersionCountRow {
  brand: string;
  model: string;
}

/** Where the devices of a rule's kind are (RuleAdoptionView of the admin API, from JSON). */
export interface RuleAdoptionRow {
  ruleId: string;
  deviceType: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  updateType: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  devices: number;
  onApproved: number;
  onPending: number;
  onOther: number;
  onNone: number;
  testDevices: number;
}

/** The inventory counted under the filters: the one row of DevicesRepository.summary. */
export interface DeviceSummaryRow {
  devices: number;
  test_devices: number;
  brands: CountRow[];
  models: CountRow[];
  revisions: CountRow[];
  locales: CountRow[];
  update_types: CountRow[];
  versions: VersionCountRow[];
  model_versions: ModelVersionCountRow[];
  rules: RuleAdoptionRow[];
}

/**
 * The filters of the inventory's statements, on `devices d`, with their parameters from `$first`:
 * model, brand, version, seen since. brand and model are citext, so `=` compares
 * case-insensitively; model has its own index, last_seen_at too. The version filter is jsonb
 * containment checked on the rows the plan reads: the inventory holds one row per phone (tens of
 * thousands, not the request audit's millions), so no GIN index is kept up to date on every check
 * for it.
 */
function deviceFilter(first: number): string {
  const [model, brand, version, seenSince] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  return `(${model}::citext IS NULL OR d.model = ${model}::citext)
      AND (${brand}::citext IS NULL OR d.brand = ${brand}::citext)
      AND (${version}::text IS NULL OR d.modules @> jsonb_build_array(jsonb_build_object('version', ${version}::text)))
      AND (${seenSince}::timestamptz IS NULL OR d.last_seen_at >= ${seenSince}::timestamptz)`;
}

function filterParameters(filters: DeviceRowFilters): (string | null)[] {
  return [filters.model ?? null, filters.brand ?? null, filters.version ?? null, filters.seenSince ?? null];
}

/** The cursor's condition, newest first by (last_seen_at, id), on parameters `$first` (micros) and `$first+1` (id). */
function afterCursor(first: number): string {
  const at = fromMicros(`$${first}`);
  return `($${first}::bigint IS NULL OR (d.last_seen_at <= ${at} AND (d.last_seen_at, d.id) < (${at}, $${first + 1}::uuid)))`;
}

/** The device inventory (`devices`), as the admin API reads it; RequestAuditRepository writes it. */
export class DevicesRepository extends QueryLayer {
  async get(id: string): Promise<DeviceRow | null> {
    const [row] = await this.manager.query<DeviceRow[]>(`SELECT *, ${micros('last_seen_at')} AS last_seen_micros FROM devices WHERE id = $1`, [
      id,
    ]);
    return row ?? null;
  }

  /**
   * Most recently seen first, by (last_seen_at, id), after `after`, walking
   * devices_last_seen_at_idx backwards (deviceFilter says how each filter is served).
   */
  async page(filters: DeviceRowFilters, after: TimeKey | null, limit: number): Promise<DeviceRow[]> {
    return this.manager.query<DeviceRow[]>(
      `SELECT d.*, ${micros('d.last_seen_at')} AS last_seen_micros FROM devices d
        WHERE ${afterCursor(1)} AND ${deviceFilter(3)}
        ORDER BY d.last_seen_at DESC, d.id DESC
        LIMIT $7`,
      [after?.micros ?? null, after?.id ?? null, ...filterParameters(filters), limit],
    );
  }

  /**
   * The devices not on the version one of their rules offers them (the approved one; a test
   * device the pending one when there is one, as libs/rules' offeredVersion says), most recently
   * seen first like `page`, each with the rules it is behind on. A rule with nothing to offer
   * leaves its devices alone; a device that reports no module of a rule's update type, or a blank
   * version, runs none. Versions compare by version_key (libs/rules' sameVersion). The plan walks
   * devices_last_seen_at_idx backwards and looks up each device's rules by rules_key_idx (its
   * first five columns are the device kind); Postgres memoizes that lookup per kind and modules,
   * which repeat across a pool's phones.
   */
  async compliancePage(filters: ComplianceRowFilters, after: TimeKey | null, limit: number): Promise<ComplianceRow[]> {
    return this.manager.query<ComplianceRow[]>(
      `SELECT d.*, ${micros('d.last_seen_at')} AS last_seen_micros, c.behind FROM devices d
        CROSS JOIN LATERAL (
          SELECT jsonb_agg(jsonb_build_object('ruleId', r.id, 'updateType', r.update_type, 'installedVersion', i.installed,
                                              'offeredVersion', o.offered) ORDER BY r.update_type) AS behind
            FROM rules r
           CROSS JOIN LATERAL (SELECT CASE WHEN d.is_test_device AND r.pending_version IS NOT NULL
                                           THEN r.pending_version ELSE r.approved_version END AS offered) o
            LEFT JOIN LATERAL (${installedOf('d.modules')}) i ON true
           WHERE r.device_type = d.device_type AND r.brand = d.brand AND r.model = d.model
             AND r.revision = d.revision AND r.locale = d.locale
             AND ($8::uuid IS NULL OR r.id = $8::uuid)
             AND o.offered IS NOT NULL
             AND (i.installed IS NULL OR version_key(i.installed) <> version_key(o.offered))
        ) c
        WHERE c.behind IS NOT NULL AND ${afterCursor(1)} AND ${deviceFilter(3)}
        ORDER BY d.last_seen_at DESC, d.id DESC
        LIMIT $7`,
      [after?.micros ?? null, after?.id ?? null, ...filterParameters(filters), limit, filters.ruleId ?? null],
    );
  }

  /**
   * The inventory counted under the filters, in one statement (so every count is of the same
   * snapshot): the matching devices are first grouped by what every count reads (kind, modules,
   * test device), which a pool's phones share by the thousand, so one scan and one hash
   * aggregation of the table do the heavy work and the counts per field, version and rule run on
   * a few thousand groups. The scan groups by `inventory_group` alone (a UUID the database keeps
   * per distinct kind, modules and test device: migration 1797400000000, decision 73) and reads
   * one device of each group back by its ctid, instead of hashing five text columns and the
   * modules JSON of every row. Text is grouped by its bytes first (cheap), and only those groups
   * by their case-insensitive keys (keyOf).
   *
   * No counter is kept on the update check's path (decision 54); docs/performance.md has where
   * the statement's time goes on 100,000 devices. work_mem is raised for the statement: the
   * planner takes every modules array for 100 elements, and with the default 4 MB it sorted
   * what fits a hash table many times over.
   */
  async summary(filters: DeviceRowFilters): Promise<DeviceSummaryRow> {
    return this.planned(async (manager) => {
      const [row] = await manager.query<DeviceSummaryRow[]>(SUMMARY(deviceFilter(1)), filterParameters(filters));
      return row;
    });
  }

  /**
   * Runs `work` in a transaction with JIT compilation off and 64 MB of work_mem. The planner
   * takes every jsonb_array_elements call for 100 rows (a built-in's default), so a statement over
   * the whole inventory looks a hundred times bigger than it is: it crosses jit_above_cost, and
   * compiling it then took longer than running it (1.7 s of JIT against 0.7 s of execution,
   * measured on 100,000 devices), and with 4 MB it sorts what would fit a hash table (19,003 rows
   * taken for two million). What the statement really holds is a few MB. SET LOCAL ends with the
   * transaction.
   */
  private planned<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.manager.transaction(async (manager) => {
      await manager.query('SET LOCAL jit = off');
      await manager.query("SET LOCAL work_mem = '64MB'");
      return work(manager);
    });
  }
}

/**
 * The version `modules` (a device's) reports for rule `r`'s update type, compared
 * case-insensitively; null for none or a blank one (libs/rules' decideOffer).
 */
const installedOf = (modules: string): string =>
  `SELECT NULLIF(btrim(m->>'version'), '') AS installed FROM jsonb_array_elements(${modules}) AS m
    WHERE (m->>'updateType')::citext = r.update_type LIMIT 1`;

/** The five fields of a device kind (a rule's key without its update type). */
const KIND = ['device_type', 'brand', 'model', 'revision', 'locale'] as const;

/**
 * A column as a case-insensitive key, `<column>_key`: lower() is what citext compares by, and its
 * result in the "C" collation groups, joins and sorts by bytes. (citext lowers both sides at every
 * comparison and every hash, which made this statement ten times slower.)
 */
const keyOf = (column: string, alias = column): string => `lower(${column}) COLLATE "C" AS ${alias}_key`;
const keys = (table: string, columns: readonly string[]): string => columns.map((column) => `${table}.${column}_key`).join(', ');
const sameKeys = (left: string, right: string, columns: readonly string[]): string =>
  columns.map((column) => `${left}.${column}_key = ${right}.${column}_key`).join(' AND ');

/** A JSON array of `{value, devices}` per `<column>_key` of `source`, showing one of the spellings. */
const countsBy = (source: string, column: string): string =>
  `(SELECT COALESCE(json_agg(json_build_object('value', value, 'devices', devices) ORDER BY devices DESC, value), '[]')
      FROM (SELECT min(${column}) AS value, sum(devices) AS devices FROM ${source} GROUP BY ${column}_key) counted)`;

/*
 * The summary, step by step (each CTE a few hundred or thousand rows after g):
 * counted        per inventory_group of the matching devices, how many, and one of them (its ctid);
 * g              that device's kind, modules and test flag, and the count: the devices grouped by the
 *                bytes of what every count reads (a TID scan of the few thousand samples);
 * gk             g with each text field's case-insensitive key;
 * gm             per group, each update type it reports (its first module of the type) and that version;
 * kind_counts    devices and test devices per device kind;
 * kind_versions  devices per device kind, update type and installed version (null for a blank one);
 * version_keys   version_key of each installed version, once;
 * kind_version_keys  kind_versions with that key (a hash join before the rules join, not a
 *                loop over the versions per rule and version);
 * rule_keys      each rule's keys and the version_key of its approved and pending versions;
 * rule_versions  per rule, its kind's devices on its approved version, its pending one, and any.
 */
const SUMMARY = (filter: string) => `
WITH counted AS MATERIALIZED (
  SELECT min(d.ctid) AS sample, count(*) AS devices FROM devices d WHERE ${filter} GROUP BY d.inventory_group
), g AS MATERIALIZED (
  SELECT d.device_type::text AS device_type, d.brand::text AS brand, d.model::text AS model, d.revision::text AS revision,
         d.locale::text AS locale, d.modules, d.is_test_device, counted.devices
    FROM devices d JOIN counted ON counted.sample = d.ctid
   WHERE d.ctid = ANY (ARRAY(SELECT sample FROM counted))
), gk AS MATERIALIZED (
  SELECT g.*, ${KIND.map((column) => keyOf(column)).join(', ')} FROM g
), gm AS MATERIALIZED (
  SELECT ${keys('gk', KIND)}, gk.brand, gk.model, gk.devices, m.update_type, ${keyOf('m.update_type', 'update_type')}, m.version,
         NULLIF(btrim(m.version), '') AS installed
    FROM gk CROSS JOIN LATERAL (
      SELECT DISTINCT ON (lower(e."updateType")) e."updateType" AS update_type, e.version
        FROM ROWS FROM (jsonb_to_recordset(gk.modules) AS ("updateType" text, version text)) WITH ORDINALITY AS e("updateType", version, n)
       ORDER BY lower(e."updateType"), e.n) m
), model_versions AS MATERIALIZED (
  SELECT min(brand) AS brand, min(model) AS model, min(update_type) AS update_type, update_type_key, version, sum(devices) AS devices
    FROM gm GROUP BY brand_key, model_key, update_type_key, version
), kind_counts AS (
  SELECT ${keys('gk', KIND)}, sum(devices) AS devices, COALESCE(sum(devices) FILTER (WHERE is_test_device), 0) AS test_devices
    FROM gk GROUP BY ${keys('gk', KIND)}
), kind_versions AS MATERIALIZED (
  SELECT ${keys('gm', KIND)}, update_type_key, installed, sum(devices) AS devices
    FROM gm GROUP BY ${keys('gm', KIND)}, update_type_key, installed
), version_keys AS MATERIALIZED (
  SELECT installed, version_key(installed) AS key FROM (SELECT DISTINCT installed FROM kind_versions WHERE installed IS NOT NULL) v
), kind_version_keys AS MATERIALIZED (
  SELECT v.*, k.key FROM kind_versions v LEFT JOIN version_keys k ON k.installed = v.installed
), rule_keys AS MATERIALIZED (
  SELECT r.*, ${[...KIND, 'update_type'].map((column) => keyOf(`r.${column}::text`, column)).join(', ')},
         version_key(r.approved_version) AS approved_key, version_key(r.pending_version) AS pending_key
    FROM rules r
), rule_versions AS (
  SELECT r.id,
         COALESCE(sum(v.devices) FILTER (WHERE v.key = r.approved_key), 0) AS on_approved,
         COALESCE(sum(v.devices) FILTER (WHERE v.key = r.pending_key AND v.key IS DISTINCT FROM r.approved_key), 0) AS on_pending,
         COALESCE(sum(v.devices) FILTER (WHERE v.installed IS NOT NULL), 0) AS on_any
    FROM rule_keys r
    JOIN kind_version_keys v ON ${sameKeys('v', 'r', [...KIND, 'update_type'])}
   GROUP BY r.id
)
SELECT COALESCE((SELECT sum(devices) FROM g), 0)::int AS devices,
       COALESCE((SELECT sum(devices) FROM g WHERE is_test_device), 0)::int AS test_devices,
       ${countsBy('gk', 'brand')} AS brands,
       ${countsBy('gk', 'model')} AS models,
       ${countsBy('gk', 'revision')} AS revisions,
       ${countsBy('gk', 'locale')} AS locales,
       ${countsBy('gm', 'update_type')} AS update_types,
       (SELECT COALESCE(json_agg(json_build_object('updateType', update_type, 'version', version, 'devices', devices)
                                 ORDER BY update_type, devices DESC, version), '[]')
          FROM (SELECT min(update_type) AS update_type, version, sum(devices) AS devices FROM model_versions
                 GROUP BY update_type_key, version) v) AS versions,
       (SELECT COALESCE(json_agg(json_build_object('brand', brand, 'model', model, 'updateType', update_type, 'version', version,
                                                   'devices', devices) ORDER BY brand, model, update_type, devices DESC, version), '[]')
          FROM model_versions) AS model_versions,
       (SELECT COALESCE(json_agg(json_build_object(
                 'ruleId', r.id, 'deviceType', r.device_type, 'brand', r.brand, 'model', r.model, 'revision', r.revision,
                 'locale', r.locale, 'updateType', r.update_type, 'approvedVersion', r.approved_version,
                 'pendingVersion', r.pending_version, 'devices', COALESCE(c.devices, 0), 'onApproved', COALESCE(v.on_approved, 0),
                 'onPending', COALESCE(v.on_pending, 0), 'onOther', COALESCE(v.on_any - v.on_approved - v.on_pending, 0),
                 'onNone', COALESCE(c.devices, 0) - COALESCE(v.on_any, 0), 'testDevices', COALESCE(c.test_devices, 0))
                 ORDER BY r.device_type, r.brand, r.model, r.revision, r.locale, r.update_type), '[]')
          FROM rule_keys r
          LEFT JOIN kind_counts c ON ${sameKeys('c', 'r', KIND)}
          LEFT JOIN rule_versions v ON v.id = r.id) AS rules`;
