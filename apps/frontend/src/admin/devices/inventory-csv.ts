import type { BehindModuleView, DeviceModuleView, DeviceView } from '@ucupdates/admin-api';
import { AUDIT_LOG_LINE_END, csvCell, moduleField } from '../../devices/request-audit/audit-log-format';

/**
 * The inventory as CSV (`GET /api/v1/devices/export`), and the devices behind on their rules
 * (`…/compliance/export`), the way Lync administrators feed reports: the request audit export's
 * dialect (RFC 4180 quoting, CRLF, a header row, the same column names where the two share a
 * field: `Mac Address`, `Vendor`, …) and its cells (csvCell: a cell that starts like a spreadsheet
 * formula gets a leading `'`). Layout: docs/cli.md.
 */
export const INVENTORY_COLUMNS = [
  'Mac Address',
  'Serial Number',
  'Device Type',
  'Vendor',
  'Model',
  'Revision',
  'Locale',
  'Modules',
  'Test Device',
  'First Seen',
  'Last Seen',
  'Last Node',
  'Last Address',
  'User Id',
  'Id',
] as const;

/** One row per rule a device is behind on: the device's columns, then the rule's. */
export const COMPLIANCE_COLUMNS = [...INVENTORY_COLUMNS, 'Update Type', 'Installed Version', 'Offered Version'] as const;

const row = (cells: (string | null)[]): string => cells.map(csvCell).join(',') + AUDIT_LOG_LINE_END;

export const INVENTORY_HEADER = row([...INVENTORY_COLUMNS]);
export const COMPLIANCE_HEADER = row([...COMPLIANCE_COLUMNS]);

/** `CPE;4.0.7577.4366#UCM;4.0.7577.10`: modules as the request audit writes them (moduleField escapes `;`, `#`, `%`). */
export function modulesField(modules: readonly DeviceModuleView[]): string {
  return modules.map((module) => `${moduleField(module.updateType)};${moduleField(module.version)}`).join('#');
}

function deviceCells(device: DeviceView): (string | null)[] {
  return [
    device.macAddress,
    device.serialNumber,
    device.deviceType,
    device.brand,
    device.model,
    device.revision,
    device.locale,
    modulesField(device.modules),
    device.isTestDevice ? 'yes' : 'no',
    device.firstSeenAt,
    device.lastSeenAt,
    device.lastNodeId,
    device.lastAddress,
    device.lastUserId,
    device.id,
  ];
}

/** A device as a row of the inventory file, with its line end. */
export function inventoryRow(device: DeviceView): string {
  return row(deviceCells(device));
}

/** A device's rows of the compliance file: one per rule it is behind on. */
export function complianceRows(device: DeviceView, behind: readonly BehindModuleView[]): string {
  const cells = deviceCells(device);
  return behind.map((module) => row([...cells, module.updateType, module.installedVersion, module.offeredVersion])).join('');
}

/** `ucupdates-inventory-20240531.csv`, `ucupdates-compliance-20240531.csv`: the day of the export, UTC. */
export function inventoryFileName(kind: 'inventory' | 'compliance', now: Date): string {
  return `ucupdates-${kind}-${now.toISOString().slice(0, 10).replaceAll('-', '')}.csv`;
}
