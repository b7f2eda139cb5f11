import type { RequestAuditView } from '@ucupdates/admin-api';
import type { RequestAuditRow } from '@ucupdates/database';

export type { RequestAuditRow };

/** One update check as `GET /api/v1/audit/requests` shows it: the fields of Lync's audit log. */
export function requestAuditView(row: RequestAuditRow): RequestAuditView {
  return {
    id: row.id,
    requestId: row.request_id,
    at: row.at.toISOString(),
    nodeId: row.node_id,
    address: row.address,
    deviceType: row.device_type,
    macAddress: row.mac_address,
    serialNumber: row.serial_number,
    controllerId: row.controller_id,
    operation: row.operation,
    ddi: row.ddi,
    vendor: row.vendor,
    model: row.model,
    revision: row.revision,
    locale: row.locale,
    // The writer's JSON is shown with exactly the documented fields, whatever else it holds.
    requestModules: (row.request_modules ?? []).map((module) => ({
      filename: module.filename,
      version: module.version,
      timestamp: module.timestamp ?? null,
    })),
    responseModules: (row.response_modules ?? []).map((module) => ({
      filename: module.filename,
      signatureFilename: module.signatureFilename ?? null,
      version: module.version,
      timestamp: module.timestamp ?? null,
    })),
    userId: row.user_id,
    external: row.external,
    status: row.status,
  };
}
