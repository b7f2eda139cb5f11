import type { RequestAuditView, RequestModuleView, ResponseModuleView } from '@ucupdates/admin-api';

/**
 * Lync's request audit file, `RequestHandlerAuditLog_<node>_<yyyymmdd>.log`, as the admin API
 * exports it and as a node writes it into `UCU_AUDIT_LOG_DIR`: comma-separated values (RFC 4180
 * quoting, CRLF), a header row of Lync's column names, one row per update check, Lync's columns
 * first in Lync's order, then ucupdates' own. Layout: docs/cli.md (the request audit export); the choices
 * made where the spec's admin API is silent: docs/decisions.md.
 */
export const AUDIT_LOG_COLUMNS = [
  'Logging DateTime',
  'User Host Address',
  'Device Type',
  'Mac Address',
  'Serial Number',
  'Vendor',
  'Model',
  'Revision',
  'Locale',
  'Request Modules',
  'Response Modules',
  'User Id',
  'Listener',
  'Status',
  'Node',
] as const;

export const AUDIT_LOG_LINE_END = '\r\n';

/** The header row, with its line end. */
export const AUDIT_LOG_HEADER = AUDIT_LOG_COLUMNS.join(',') + AUDIT_LOG_LINE_END;

/**
 * One update check: what a row of the file holds (the admin API's view of it, without its ids and
 * the DDI fields Lync's layout has no column for; a DDI request's row is there by its kind).
 */
export type AuditLogEntry = Omit<RequestAuditView, 'id' | 'requestId' | 'controllerId' | 'operation' | 'ddi'>;

/** `RequestHandlerAuditLog_node-1_20240531.log` for `node-1` and `2024-05-31`. */
export function auditLogFileName(node: string, day: string): string {
  return `RequestHandlerAuditLog_${node}_${day.replaceAll('-', '')}.log`;
}

/** Starts a spreadsheet formula (or, for tab and CR, hides one) when a cell begins with it. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell: a value that starts like a formula gets a leading `'`, so a spreadsheet shows it as
 * text instead of running it; a value holding a quote, a comma or a line break is quoted, its
 * quotes doubled (RFC 4180). Everything else is written as it is.
 */
export function csvCell(value: string | null | undefined): string {
  if (value == null || value === '') return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return text !== value || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Within a module, what would split it wrongly — the separators `;` and `#`, the escape `%`
 * itself, control and line-breaking characters — is written as `%XX` of its UTF-8 bytes (as in a
 * URL): split the cell by `#`, each module by `;`, then `decodeURIComponent` each part.
 */
const MODULE_UNSAFE = /[%;#\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function moduleField(value: string | null | undefined): string {
  return value == null ? '' : value.replace(MODULE_UNSAFE, (char) => encodeURIComponent(char));
}

/** Request modules as Lync wrote them: `Filename;Version;Timestamp`, joined by `#`. */
export function requestModulesField(modules: readonly RequestModuleView[]): string {
  return modules.map((module) => [module.filename, module.version, module.timestamp].map(moduleField).join(';')).join('#');
}

/** Response modules: `Filename;Signature Filename;Version;Timestamp`, joined by `#`. */
export function responseModulesField(modules: readonly ResponseModuleView[]): string {
  return modules
    .map((module) => [module.filename, module.signatureFilename, module.version, module.timestamp].map(moduleField).join(';'))
    .join('#');
}

/** One check as a row of the file, with its line end. */
export function auditLogRow(entry: AuditLogEntry): string {
  return (
    [
      entry.at,
      entry.address,
      entry.deviceType,
      entry.macAddress,
      entry.serialNumber,
      entry.vendor,
      entry.model,
      entry.revision,
      entry.locale,
      requestModulesField(entry.requestModules),
      responseModulesField(entry.responseModules),
      entry.userId,
      entry.external ? 'external' : 'internal',
      String(entry.status),
      entry.nodeId,
    ]
      .map(csvCell)
      .join(',') + AUDIT_LOG_LINE_END
  );
}
