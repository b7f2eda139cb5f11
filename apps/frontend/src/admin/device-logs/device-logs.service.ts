import type { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ObjectStorage } from '@ucupdates/storage';
import { DataSource } from 'typeorm';
import { ApiError } from '../../errors/api-error';
import type { Page } from '../pagination';
import { decodeTimeCursor, encodeTimeCursor, fromMicros, isUuid, micros } from '../time-cursor';

export interface DeviceLogView {
  id: string;
  deviceType: string;
  macAddress: string | null;
  serialNumber: string | null;
  logType: string;
  fileName: string;
  size: number;
  sha256: string;
  nodeId: string;
  address: string;
  userId: string | null;
  external: boolean;
  createdAt: string;
}

export interface DeviceLogFilters {
  /** Normalised (upper-case pairs joined by `-`), as rows hold it. */
  macAddress?: string;
  serialNumber?: string;
  deviceType?: string;
  logType?: string;
  since?: string;
  until?: string;
}

interface DeviceLogRow {
  id: string;
  device_type: string;
  mac_address: string | null;
  serial_number: string | null;
  log_type: string;
  file_name: string;
  size: string;
  sha256: string;
  object_key: string;
  node_id: string;
  address: string;
  user_id: string | null;
  external: boolean;
  created_at: Date;
  created_micros: string;
}

/** The uploaded device logs as the admin API shows them, and their bytes. */
@Injectable()
export class DeviceLogsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
  ) {}

  /**
   * Newest first; the cursor is the last item's (created_at, id). A device's logs are found by
   * the MAC and serial indexes, the rest by the created_at index; device and log types compare
   * case-insensitively (phones and the configuration may spell them differently).
   */
  async list(filters: DeviceLogFilters, limit: number, cursor?: string): Promise<Page<DeviceLogView>> {
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const rows = await this.dataSource.query<DeviceLogRow[]>(
      `SELECT *, ${micros('created_at')} AS created_micros FROM device_logs
        WHERE ($1::bigint IS NULL OR (created_at <= ${fromMicros('$1')} AND (created_at, id) < (${fromMicros('$1')}, $2::uuid)))
          AND ($3::text IS NULL OR mac_address = $3)
          AND ($4::text IS NULL OR serial_number = $4)
          AND ($5::text IS NULL OR lower(device_type) = lower($5))
          AND ($6::text IS NULL OR lower(log_type) = lower($6))
          AND ($7::timestamptz IS NULL OR created_at >= $7)
          AND ($8::timestamptz IS NULL OR created_at < $8)
        ORDER BY created_at DESC, id DESC
        LIMIT $9`,
      [
        after?.micros ?? null,
        after?.id ?? null,
        filters.macAddress ?? null,
        filters.serialNumber ?? null,
        filters.deviceType ?? null,
        filters.logType ?? null,
        filters.since ?? null,
        filters.until ?? null,
        limit + 1,
      ],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(view),
      nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.created_micros, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<DeviceLogView> {
    return view(await this.row(id));
  }

  /**
   * The log's metadata and its bytes, streamed from the object store. A row whose object is gone
   * (the clean-up deletes the object first, then the row) is answered as not found.
   */
  async content(id: string): Promise<{ log: DeviceLogView; body: Readable }> {
    const row = await this.row(id);
    if ((await this.storage.stat(row.object_key)) === null) {
      throw notFound(id, 'its file is no longer in the store (expired)');
    }
    return { log: view(row), body: await this.storage.get(row.object_key) };
  }

  private async row(id: string): Promise<DeviceLogRow> {
    const [row] = await this.dataSource.query<DeviceLogRow[]>(
      `SELECT *, ${micros('created_at')} AS created_micros FROM device_logs WHERE id = $1`,
      [id],
    );
    if (!row) {
      throw notFound(id);
    }
    return row;
  }
}

function notFound(id: string, why = 'no such log'): ApiError {
  return new ApiError('NotFound', `device log ${id}: ${why}`, HttpStatus.NOT_FOUND);
}

function view(row: DeviceLogRow): DeviceLogView {
  return {
    id: row.id,
    deviceType: row.device_type,
    macAddress: row.mac_address,
    serialNumber: row.serial_number,
    logType: row.log_type,
    fileName: row.file_name,
    size: Number(row.size),
    sha256: row.sha256,
    nodeId: row.node_id,
    address: row.address,
    userId: row.user_id,
    external: row.external,
    createdAt: row.created_at.toISOString(),
  };
}
