import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { DeviceModule } from '@ucupdates/database';
import { DataSource } from 'typeorm';
import { ApiError } from '../../errors/api-error';
import type { Page } from '../pagination';
import { decodeTimeCursor, encodeTimeCursor, fromMicros, isUuid, micros } from '../time-cursor';

/** A device of the inventory as `GET /api/v1/devices` shows it. */
export interface DeviceView {
  id: string;
  macAddress: string | null;
  serialNumber: string | null;
  deviceType: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  modules: DeviceModule[];
  isTestDevice: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  lastNodeId: string;
  lastAddress: string;
  lastUserId: string | null;
}

export interface DeviceFilters {
  model?: string;
  brand?: string;
  /** A device matches when any of its modules has this version. */
  version?: string;
  seenSince?: string;
}

interface DeviceRow {
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

/** The inventory: one row per device, filled by the update checks (the phone handlers write it). */
@Injectable()
export class DevicesService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async get(id: string): Promise<DeviceView> {
    const [row] = await this.dataSource.query<DeviceRow[]>(`SELECT * FROM devices WHERE id = $1`, [id]);
    if (!row) {
      throw new ApiError('NotFound', `no device ${id}`, HttpStatus.NOT_FOUND);
    }
    return view(row);
  }

  /**
   * Most recently seen first, by (last_seen_at, id). brand and model are citext, so `=` compares
   * case-insensitively; model has its own index. The version filter is jsonb containment
   * (`modules @> '[{"version": …}]'`) checked on the rows devices_last_seen_at_idx walks: the
   * inventory holds one row per phone (thousands, not the request audit's millions), so no GIN
   * index is kept up to date on every check for it.
   */
  async list(filters: DeviceFilters, limit: number, cursor?: string): Promise<Page<DeviceView>> {
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const rows = await this.dataSource.query<DeviceRow[]>(
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
        limit + 1,
      ],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(view),
      nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.last_seen_micros, id: last.id }) : null,
    };
  }
}

function view(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    macAddress: row.mac_address,
    serialNumber: row.serial_number,
    deviceType: row.device_type,
    brand: row.brand,
    model: row.model,
    revision: row.revision,
    locale: row.locale,
    modules: (row.modules ?? []).map((module) => ({ updateType: module.updateType, version: module.version })),
    isTestDevice: row.is_test_device,
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    lastNodeId: row.last_node_id,
    lastAddress: row.last_address,
    lastUserId: row.last_user_id,
  };
}
