import type { RequestAuditView } from './request-audit-view';

/**
 * One update check as a line of Lync's request audit log (`RequestHandlerAuditLog_<server>_<date>.log`):
 * fields separated by `;`, in Lync's order — logging time, client address, device type, MAC address,
 * serial number, vendor, model, revision, locale, request modules, response modules, user id — then
 * what ucupdates adds at the end, so Lync's columns keep their positions: `internal`/`external`, the
 * answer's status and the node that answered (Lync wrote one file per server; ours covers the pool).
 *
 * Modules are separated by `#`; a module's own fields by `,` (Lync's documentation says `;`, which
 * cannot be told from the field separator, and its OCS 2007 text says "comma"): a request module is
 * `filename,version,timestamp`, a response module `filename,signatureFilename,version,timestamp`.
 * A missing value is empty. Decisions: docs/decisions.md.
 */
export const LINE_END = '\n';

/**
 * Characters that would break the layout, written as `%XX` (their UTF-8 bytes, as in a URL): the
 * separators `;` `#` `,`, the escape `%` itself, and control and line-breaking characters (C0, DEL,
 * C1 with NEL, U+2028, U+2029). `decodeURIComponent` of a field, after splitting, gives the value back.
 */
const UNSAFE = /[%;#,\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function escapeField(value: string | null | undefined): string {
  return value == null ? '' : value.replace(UNSAFE, (char) => encodeURIComponent(char));
}

export function requestAuditLine(entry: RequestAuditView): string {
  const requestModules = entry.requestModules
    .map((module) => [module.filename, module.version, module.timestamp].map(escapeField).join(','))
    .join('#');
  const responseModules = entry.responseModules
    .map((module) => [module.filename, module.signatureFilename, module.version, module.timestamp].map(escapeField).join(','))
    .join('#');
  return [
    escapeField(entry.at),
    escapeField(entry.address),
    escapeField(entry.deviceType),
    escapeField(entry.macAddress),
    escapeField(entry.serialNumber),
    escapeField(entry.vendor),
    escapeField(entry.model),
    escapeField(entry.revision),
    escapeField(entry.locale),
    requestModules,
    responseModules,
    escapeField(entry.userId),
    entry.external ? 'external' : 'internal',
    String(entry.status),
    escapeField(entry.nodeId),
  ].join(';') + LINE_END;
}
