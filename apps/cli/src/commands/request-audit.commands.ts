import { type RequestAuditView, type RequestModuleView, ROUTES } from '@ucupdates/admin-api';
import type { Query } from '../api-client';
import { saveDownload } from '../download';
import { type Command, type CommandInput, integerOption, printLine, showList, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';
import { instantOption } from './audit.commands';

/** `CPE.nbt 4.0.7577.4366`: what a module names, shortly. */
const modules = (list: RequestModuleView[]) => list.map((module) => `${module.filename} ${module.version}`);

const COLUMNS: Column<RequestAuditView>[] = [
  { header: 'At', value: (check) => check.at },
  { header: 'NodeId', value: (check) => check.nodeId },
  { header: 'Address', value: (check) => check.address },
  { header: 'MacAddress', value: (check) => check.macAddress },
  { header: 'SerialNumber', value: (check) => check.serialNumber },
  { header: 'Vendor', value: (check) => check.vendor },
  { header: 'Model', value: (check) => check.model },
  { header: 'Installed', value: (check) => modules(check.requestModules) },
  { header: 'Offered', value: (check) => modules(check.responseModules) },
  { header: 'UserId', value: (check) => check.userId },
  { header: 'Listener', value: (check) => (check.external ? 'external' : 'internal') },
  { header: 'Status', value: (check) => check.status },
];

export function requestAuditQuery(input: CommandInput): Query {
  return {
    since: instantOption(input, 'since'),
    until: instantOption(input, 'until'),
    macAddress: stringOption(input, 'mac'),
    serialNumber: stringOption(input, 'serial'),
    nodeId: stringOption(input, 'node'),
  };
}

/** `--date`: a day of the calendar, `YYYY-MM-DD` (the API's day is in UTC). */
export function dayOption(input: CommandInput): string {
  const text = stringOption(input, 'date');
  if (text === undefined) {
    throw new UsageError('--date is required: the day to export, such as 2024-05-31 (UTC)');
  }
  const day = new Date(`${text}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) {
    throw new UsageError(`--date: "${text}" is not a day such as 2024-05-31`);
  }
  return text;
}

export const REQUEST_AUDIT_COMMANDS: Command[] = [
  {
    name: 'get-request-audit',
    aliases: ['audit requests'],
    group: 'Pool',
    summary: 'show the update checks phones made, newest first',
    usage: '[--since WHEN] [--until WHEN] [--mac MAC] [--serial SERIAL] [--node NODE] [--limit N]',
    description:
      "Shows the request audit: one entry per answered update check, with the fields of Lync's device update audit log (the device, the modules it reported, the updates offered, the user, the node that answered). --json gives every field, module timestamps and signature files included.",
    options: {
      since: { type: 'string', value: 'WHEN', description: 'checks at or after this date (UTC) or time' },
      until: { type: 'string', value: 'WHEN', description: 'checks before this date (UTC) or time' },
      mac: { type: 'string', value: 'MAC', description: "a device's MAC address, in any form (00-04-F2-12-34-56, 00:04:f2:12:34:56, 0004f2123456)" },
      serial: { type: 'string', value: 'SERIAL', description: "a device's serial number, exactly" },
      node: { type: 'string', value: 'NODE', description: 'the node that answered' },
      limit: { type: 'string', value: 'N', description: 'only the newest N checks' },
    },
    args: { min: 0, max: 0 },
    examples: [
      'ucupdates get-request-audit --since 2024-05-31 --limit 100',
      'ucupdates get-request-audit --mac 00:04:f2:12:34:56 --json',
      'ucupdates get-request-audit --node node-1 --since 2024-05-31T08:00:00Z --until 2024-05-31T09:00:00Z',
    ],
    async run(context, input) {
      const checks = await context.api.listAll<RequestAuditView>(ROUTES.requestAudit, requestAuditQuery(input), integerOption(input, 'limit'));
      showList(context, checks, COLUMNS, 'update checks match');
    },
  },
  {
    name: 'export-request-audit',
    aliases: ['audit export'],
    group: 'Pool',
    summary: "save a day's update checks as Lync's request audit file (CSV)",
    usage: '--date YYYY-MM-DD [--node NODE] [-o FILE]',
    description:
      "Downloads one day's (UTC) request audit as the file a Lync server writes (RequestHandlerAuditLog_<node>_<yyyymmdd>.log): comma-separated values with a header row of Lync's column names (Logging DateTime, User Host Address, Device Type, Mac Address, Serial Number, Vendor, Model, Revision, Locale, Request Modules, Response Modules, User Id), then Listener, Status and Node; PowerShell's Import-Csv and the Lync report scripts read it by column name. Every node of the pool, or one with --node. Written to stdout, or with -o to FILE, which appears only once the whole day has arrived. Streamed: a day of millions of checks is never held in memory.",
    options: {
      date: { type: 'string', value: 'YYYY-MM-DD', description: 'the day, in UTC' },
      node: { type: 'string', value: 'NODE', description: 'only the checks this node answered (the file Lync wrote per server)' },
      output: { type: 'string', short: 'o', value: 'FILE', description: 'write to FILE instead of stdout' },
    },
    args: { min: 0, max: 0 },
    examples: [
      'ucupdates export-request-audit --date 2024-05-31 -o RequestHandlerAuditLog_pool_20240531.log',
      'ucupdates export-request-audit --date 2024-05-31 --node node-1 -o RequestHandlerAuditLog_node-1_20240531.log',
    ],
    async run(context, input) {
      const day = dayOption(input);
      const file = stringOption(input, 'output');
      const body = await context.api.download(ROUTES.requestAuditExport, { date: day, nodeId: stringOption(input, 'node') });
      const bytes = await saveDownload(context, body, file);
      if (bytes === null) {
        return;
      }
      printLine(context.stderr, `Wrote the request audit of ${day} to ${file} (${bytes} bytes).`);
    },
  },
];
