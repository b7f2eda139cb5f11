import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { DeviceLogView, Page } from '@ucupdates/admin-api';
import { type DeviceLogRow, type DeviceLogRowFilters, DeviceLogsRepository } from '@ucupdates/database';
import { ObjectStorage } from '@ucupdates/storage';
import { ApiError } from '../../errors/api-error';
import { decodeTimeCursor, encodeTimeCursor, isUuid } from '../shared/time-cursor';

export type DeviceLogFilters = DeviceLogRowFilters;

/** The uploaded device logs as the admin API shows them, and their bytes. */
@Injectable()
export class DeviceLogsService {
  constructor(
    @Inject(DeviceLogsRepository) private readonly logs: DeviceLogsRepository,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
  ) {}

  /** Newest first; the cursor is the last item's (created_at, id) (DeviceLogsRepository.page says how it is served). */
  async list(filters: DeviceLogFilters, limit: number, cursor?: string): Promise<Page<DeviceLogView>> {
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const rows = await this.logs.page(filters, after, limit + 1);
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
    const row = await this.logs.get(id);
    if (!row) {
      throw notFound(id);
    }
    return row;
  }
}

function notFound(id: string, why = 'no such log'): ApiError {
  return new ApiError('NotFound', `device log ${id}: ${why}`);
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
