import { createHash } from 'node:crypto';
import { ApiFailure, type DeviceLogView, pathOf, ROUTES } from '@ucupdates/admin-api';
import type { Query } from '../api-client';
import { type Command, type CommandInput, idArgument, integerOption, printJson, printLine, refuseFiltersWithId, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import { type Column, cell } from '../table';
import { instantOption } from './audit.commands';

const COLUMNS: Column<DeviceLogView>[] = [
  { header: 'Id', value: (log) => log.id },
  { header: 'CreatedAt', value: (log) => log.createdAt },
  { header: 'LogType', value: (log) => log.logType },
  { header: 'FileName', value: (log) => log.fileName },
  { header: 'Size', value: (log) => log.size },
  { header: 'DeviceType', value: (log) => log.deviceType },
  { header: 'MacAddress', value: (log) => log.macAddress },
  { header: 'SerialNumber', value: (log) => log.serialNumber },
  { header: 'NodeId', value: (log) => log.nodeId },
];

function logFields(log: DeviceLogView): [string, unknown][] {
  return [
    ['Id', log.id],
    ['LogType', log.logType],
    ['FileName', log.fileName],
    ['Size', log.size],
    ['Sha256', log.sha256],
    ['DeviceType', log.deviceType],
    ['MacAddress', log.macAddress],
    ['SerialNumber', log.serialNumber],
    ['CreatedAt', log.createdAt],
    ['NodeId', log.nodeId],
    ['Address', log.address],
    ['UserId', log.userId],
    ['Listener', log.external ? 'external' : 'internal'],
  ];
}

export function deviceLogQuery(input: CommandInput): Query {
  return {
    macAddress: stringOption(input, 'mac'),
    serialNumber: stringOption(input, 'serial'),
    deviceType: stringOption(input, 'device-type'),
    logType: stringOption(input, 'log-type'),
    since: instantOption(input, 'since'),
    until: instantOption(input, 'until'),
  };
}

/**
 * Where a download goes when no `-o` is given: the log's name in the current directory. The pool
 * gives a safe base name already; this does not rely on it, so no answer can make the CLI write
 * outside the current directory or under a name a shell would stumble on.
 */
export function localFileName(log: Pick<DeviceLogView, 'id' | 'fileName'>): string {
  const base = (log.fileName.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return base === '' || /^\.+$/.test(base) ? `${log.id}.log` : base;
}

/** The bytes as they arrive, checked against the log's size and SHA-256 before the file is kept. */
async function* verified(body: AsyncIterable<Uint8Array>, log: DeviceLogView): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
    yield chunk;
  }
  const sha256 = hash.digest('hex');
  if (size !== log.size || sha256 !== log.sha256) {
    throw new ApiFailure(
      0,
      'Corrupt',
      `the download of device log ${log.id} is not the file the pool recorded (${size} bytes, SHA-256 ${sha256}; expected ${log.size} bytes, ${log.sha256})`,
    );
  }
}

const GROUP = 'Devices';
const EXAMPLE_ID = '5b7d9f1a-3c5e-4a7b-9d1f-2e4a6c8b0d1e';

/** The filters of get-device-log. */
const FILTERS: Command['options'] = {
  mac: { type: 'string', value: 'MAC', description: "a device's MAC address, in any form (00-04-F2-12-34-56, 00:04:f2:12:34:56, 0004f2123456)" },
  serial: { type: 'string', value: 'SERIAL', description: "a device's serial number, exactly" },
  'device-type': { type: 'string', value: 'T', description: 'the device type the phone sent (X-UC-DeviceType)' },
  'log-type': { type: 'string', value: 'T', description: 'Watson, CELog, … (ValidLogFileTypes)' },
  since: { type: 'string', value: 'WHEN', description: 'uploaded at or after this date (UTC) or time' },
  until: { type: 'string', value: 'WHEN', description: 'uploaded before this date (UTC) or time' },
  limit: { type: 'string', value: 'N', description: 'only the newest N logs' },
};

export const DEVICE_LOG_COMMANDS: Command[] = [
  {
    name: 'get-device-log',
    aliases: ['device-logs list', 'device-logs show'],
    group: GROUP,
    summary: 'list the log files phones uploaded (newest first), or show one',
    usage: '[ID] [--mac MAC] [--serial SERIAL] [--device-type T] [--log-type T] [--since WHEN] [--until WHEN] [--limit N]',
    description:
      "Lists the device logs (Watson crash dumps, CELog, …) phones uploaded to any node of the pool: what Lync kept in each front end's file share, in one place. Filters combine; --device-type and --log-type compare case-insensitively. Logs are deleted after the configuration's LogCleanUpInterval. With an ID, shows that log: its type, file name, size and SHA-256, the device that sent it, when, through which node, from which address, and by which user (external uploads).",
    options: FILTERS,
    args: { min: 0, max: 1 },
    examples: [
      'ucupdates get-device-log --mac 00:04:f2:12:34:56',
      'ucupdates get-device-log --log-type Watson --since 2024-05-01 --limit 20',
      'ucupdates get-device-log --serial SN12345 --json',
      `ucupdates get-device-log ${EXAMPLE_ID}`,
    ],
    async run(context, input) {
      refuseFiltersWithId(input, Object.keys(FILTERS));
      if (input.args.length === 1) {
        const id = idArgument(input.args[0], 'device log');
        const log = await context.api.send<DeviceLogView>({ method: 'GET', path: pathOf(ROUTES.deviceLog, { id }) });
        showRecord(context, log, logFields);
        return;
      }
      const logs = await context.api.listAll<DeviceLogView>(ROUTES.deviceLogs, deviceLogQuery(input), integerOption(input, 'limit'));
      showList(context, logs, COLUMNS, 'device logs match');
    },
  },
  {
    name: 'save-device-log',
    aliases: ['device-logs download'],
    group: GROUP,
    summary: 'save a device log file',
    usage: 'ID [-o FILE]',
    description:
      "Saves an uploaded log as the device sent it: to FILE, or under the log's own file name in the current directory (refused if a file of that name is there already: two logs often share a name). Written to FILE.partial and renamed once the whole file has arrived and matches the size and SHA-256 the pool recorded, so a broken or corrupt transfer (exit 6) leaves no file that looks complete. Prints the file's path.",
    options: {
      output: { type: 'string', short: 'o', value: 'FILE', description: "write to FILE (replacing it) instead of the log's own name" },
    },
    args: { min: 1, max: 1 },
    examples: [`ucupdates save-device-log ${EXAMPLE_ID}`, `ucupdates save-device-log ${EXAMPLE_ID} -o crash.dmp`],
    async run(context, input) {
      const id = idArgument(input.args[0], 'device log');
      const given = stringOption(input, 'output');
      if (given === '') {
        throw new UsageError('--output: give a file name');
      }
      const log = await context.api.send<DeviceLogView>({ method: 'GET', path: pathOf(ROUTES.deviceLog, { id }) });
      const file = given ?? localFileName(log);
      if (given === undefined && exists(context.files, file)) {
        throw new UsageError(`${file} exists already: name another file with -o`);
      }
      const body = await context.api.download(pathOf(ROUTES.deviceLogContent, { id }));
      let bytes: number;
      try {
        bytes = await context.files.write(file, verified(body, log));
      } catch (error) {
        if (error instanceof ApiFailure) {
          throw error;
        }
        // A path that cannot be written is a mistake in the command line, like a file import-update cannot read.
        throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (context.json) {
        printJson(context, { ...log, file });
      } else {
        printLine(context.stdout, cell(file));
        printLine(context.stderr, `Saved device log ${id} (${cell(log.logType)}, ${bytes} bytes) to ${cell(file)}.`);
      }
    },
  },
];

function exists(files: { size(path: string): number }, path: string): boolean {
  try {
    files.size(path);
    return true;
  } catch {
    return false;
  }
}
