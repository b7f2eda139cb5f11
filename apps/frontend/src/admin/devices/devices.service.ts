import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DeviceComplianceView, DeviceSummaryView, DeviceView, Page } from '@ucupdates/admin-api';
import {
  type ComplianceRowFilters,
  type DeviceRow,
  type DeviceRowFilters,
  DevicesRepository,
  type TimeKey,
} from '@ucupdates/database';
import { ApiError } from '../../errors/api-error';
import { decodeTimeCursor, encodeTimeCursor, isUuid } from '../shared/time-cursor';
import { COMPLIANCE_HEADER, complianceRows, INVENTORY_HEADER, inventoryRow } from './inventory-csv';

export type DeviceFilters = DeviceRowFilters;
export type ComplianceFilters = ComplianceRowFilters;

/**
 * Rows read per query while exporting: few enough that a batch is small in memory, many enough
 * that an inventory of 100,000 phones is 50 round trips.
 */
const EXPORT_BATCH = 2000;

/** The inventory: one row per device, filled by the update checks (the phone handlers write it). */
@Injectable()
export class DevicesService {
  private readonly logger = new Logger(DevicesService.name);

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
    return pageOf(await this.devices.page(filters, afterCursor(cursor), limit + 1), limit, view);
  }

  /** The devices behind on a rule, in the device list's order (DevicesRepository.compliancePage). */
  async compliance(filters: ComplianceFilters, limit: number, cursor?: string): Promise<Page<DeviceComplianceView>> {
    return pageOf(await this.devices.compliancePage(filters, afterCursor(cursor), limit + 1), limit, (row) => ({
      ...view(row),
      behind: row.behind,
    }));
  }

  /** The inventory counted by Postgres under the filters (DevicesRepository.summary). */
  async summary(filters: DeviceFilters): Promise<DeviceSummaryView> {
    const row = await this.devices.summary(filters);
    return {
      devices: row.devices,
      testDevices: row.test_devices,
      brands: row.brands,
      models: row.models,
      revisions: row.revisions,
      locales: row.locales,
      updateTypes: row.update_types,
      versions: row.versions,
      modelVersions: row.model_versions,
      rules: row.rules,
    };
  }

  /** The device list under the filters as CSV (inventory-csv.ts), streamed in batches. */
  exportInventory(filters: DeviceFilters): AsyncGenerator<string> {
    return this.exportRows('inventory', INVENTORY_HEADER, (after) => this.devices.page(filters, after, EXPORT_BATCH), (row) =>
      inventoryRow(view(row)),
    );
  }

  /** The devices behind on their rules as CSV, one row per rule a device is behind on. */
  exportCompliance(filters: ComplianceFilters): AsyncGenerator<string> {
    return this.exportRows(
      'compliance',
      COMPLIANCE_HEADER,
      (after) => this.devices.compliancePage(filters, after, EXPORT_BATCH),
      (row) => complianceRows(view(row), row.behind),
    );
  }

  /**
   * A header, then every row `read` gives, batch by batch by keyset on (last_seen_at, id): memory
   * stays at one batch whatever the inventory holds, and no connection or transaction is held
   * while the client reads (a slow download must not pin a pool connection). The generator is
   * pulled by the response stream (sendCsv), so a client that goes away stops the reads. A device
   * seen again during the export moves ahead of the cursor and is not in this file.
   */
  private async *exportRows<R extends DeviceRow>(
    name: string,
    header: string,
    read: (after: TimeKey | null) => Promise<R[]>,
    format: (row: R) => string,
  ): AsyncGenerator<string> {
    let after: TimeKey | null = null;
    let count = 0;
    let text = header;
    for (;;) {
      const rows: R[] = await read(after);
      count += rows.length;
      for (const row of rows) text += format(row);
      yield text;
      text = '';
      const last = rows.at(-1);
      if (rows.length < EXPORT_BATCH || !last) {
        break;
      }
      after = { micros: last.last_seen_micros, id: last.id };
    }
    this.logger.log(`exported ${count} devices (${name})`);
  }
}

function afterCursor(cursor: string | undefined): TimeKey | null {
  return cursor ? decodeTimeCursor(cursor, isUuid) : null;
}

/** A page of `limit` from `limit + 1` rows read, the cursor after its last row when there are more. */
function pageOf<R extends DeviceRow, V>(rows: R[], limit: number, toView: (row: R) => V): Page<V> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.last_seen_micros, id: last.id }) : null,
  };
}

function view(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    macAddress: row.mac_address,
    serialNumber: row.serial_number,
    controllerId: row.controller_id,
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
