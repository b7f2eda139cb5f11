import type { DeviceModule } from '../entities';
import { fromMicros, micros, type TimeKey } from './keyset';
import { QueryLayer } from './query-layer';

/** A `devices` row as node-postgres gives it, with last_seen_at also as microseconds for cursors. */
export interface DeviceRow {
  id: string;
  mac_address: string | null;
  serial_number: string | null;
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

/** The device inventory (`devices`), as the admin API reads it; RequestAuditRepository writes it. */
export class DevicesRepository extends QueryLayer {
  async get(id: string): Promise<DeviceRow | null> {
    const [row] = await this.manager.query<DeviceRow[]>(`SELECT *, ${micros('last_seen_at')} AS last_seen_micros FROM devices WHERE id = $1`, [
      id,
    ]);
    return row ?? null;
  }

  /**
   * Most recently seen first, by (last_seen_at, id), after `after`. brand and model are citext, so
   * `=` compares case-insensitively; model has its own index. The version filter is jsonb
   * containment (`modules @> '[{"version": …}]'`) checked on the rows devices_last_seen_at_idx
   * walks: the inventory holds one row per phone (thousands, not the request audit's millions),
   * so no GIN index is kept up to date on every check for it.
   */
  async page(filters: DeviceRowFilters, after: TimeKey | null, limit: number): Promise<DeviceRow[]> {
    return this.manager.query<DeviceRow[]>(
      `SELECT *, ${micros('last_seen_at')} AS last_seen_micros FROM devices
        WHERE ($1::bigint IS NULL OR (last_seen_at <= ${fromMicros('$1')} AND (last_seen_at, id) < (${fromMicros('$1')}, $2::uuid)))
          AND ($3::citext IS NULL OR model = $3::citext)
          AND ($4::citext IS NULL OR brand = $4::citext)
          AND ($5::text IS NULL OR modules @> jsonb_build_array(jsonb_build_object('version', $5::text)))
          AND ($6::timestamptz IS NULL OR last_seen_at >= $6)
        ORDER BY last_seen_at DESC, id DESC
        LIMIT $7`,
      [
        after?.micros ?? null,
        after?.id ?? null,
        filters.model ?? null,
        filters.brand ?? null,
        filters.version ?? null,
        filters.seenSince ?? null,
        limit,
      ],
    );
  }
}
