import { Inject, Injectable } from '@nestjs/common';
import type { DeviceView, Page } from '@ucupdates/admin-api';
import { type DeviceModule, type DeviceRow, type DeviceRowFilters, DevicesRepository } from '@ucupdates/database';
import { ApiError } from '../../errors/api-error';
import { decodeTimeCursor, encodeTimeCursor, isUuid } from '../shared/time-cursor';

export type DeviceFilters = DeviceRowFilters;

/** The inventory: one row per device, filled by the update checks (the phone handlers write it). */
@Injectable()
export class DevicesService {
  constructor(@Inject(DevicesRepository) private readonly devices: DevicesRepository) {}

  async get(id: string): Promise<DeviceView> {
    const row = await this.devices.get(id);
    if (!row) {
      throw new ApiError('NotFound', `no device ${id}`);
    }
    return view(row);
  }

  /** Most recently seen first, by (last_seen_at, id) (DevicesRepository.page says how it is served). */
  async list(filters: DeviceFilters, limit: number, cursor?: string): Promise<Page<DeviceView>> {
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const rows = await this.devices.page(filters, after, limit + 1);
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
