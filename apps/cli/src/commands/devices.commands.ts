import {
  type DeviceComplianceView,
  type DeviceCountView,
  type DeviceSummaryView,
  type DeviceView,
  pathOf,
  ROUTES,
  type RuleAdoptionView,
  type VersionCountView,
} from '@ucupdates/admin-api';
import type { Query } from '../api-client';
import {
  type Command,
  type CommandContext,
  type CommandInput,
  idArgument,
  integerOption,
  printJson,
  printLine,
  refuseFiltersWithId,
  showList,
  showRecord,
  stringOption,
} from '../command';
import { saveDownload } from '../download';
import { type Column, formatTable, ruleKeyColumns, ruleKeyLines } from '../table';
import { instantOption } from './audit.commands';

/** `CPE 4.0.7577.4366`: each update type the device reported and its version. */
const modules = (device: DeviceView) => device.modules.map((module) => `${module.updateType} ${module.version}`);

const COLUMNS: Column<DeviceView>[] = [
  { header: 'Id', value: (device) => device.id },
  { header: 'MacAddress', value: (device) => device.macAddress },
  { header: 'SerialNumber', value: (device) => device.serialNumber },
  ...ruleKeyColumns(['brand', 'model', 'revision', 'locale']),
  { header: 'Modules', value: modules },
  { header: 'TestDevice', value: (device) => (device.isTestDevice ? 'yes' : 'no') },
  { header: 'LastSeenAt', value: (device) => device.lastSeenAt },
];

function deviceFields(device: DeviceView): [string, unknown][] {
  return [
    ['Id', device.id],
    ['MacAddress', device.macAddress],
    ['SerialNumber', device.serialNumber],
    ...ruleKeyLines(device, ['deviceType', 'brand', 'model', 'revision', 'locale']),
    ['Modules', modules(device)],
    ['TestDevice', device.isTestDevice ? 'yes' : 'no'],
    ['FirstSeenAt', device.firstSeenAt],
    ['LastSeenAt', device.lastSeenAt],
    ['LastNodeId', device.lastNodeId],
    ['LastAddress', device.lastAddress],
    ['LastUserId', device.lastUserId],
  ];
}

const EXAMPLE_ID = '9d2f4b6a-1c3e-4a5b-8c7d-6e5f4a3b2c1d';

/** The inventory's filters, as every device command takes them (the API's device list filters). */
const FILTERS: Command['options'] = {
  model: { type: 'string', value: 'M', description: 'devices of this model' },
  brand: { type: 'string', value: 'B', description: 'devices of this brand (the vendor the phone reports)' },
  version: { type: 'string', value: 'V', description: 'devices with any module at this version, e.g. 4.0.7577.4372' },
  'seen-since': { type: 'string', value: 'WHEN', description: 'devices last seen at or after this date (UTC) or time' },
};
const FILTER_USAGE = '[--model M] [--brand B] [--version V] [--seen-since WHEN]';
const LIMIT: Command['options'] = { limit: { type: 'string', value: 'N', description: 'only the N most recently seen' } };
const OUTPUT: Command['options'] = { output: { type: 'string', short: 'o', value: 'FILE', description: 'write to FILE instead of stdout' } };
const OPTIONS: Command['options'] = { ...FILTERS, ...LIMIT };

function filterQuery(input: CommandInput): Query {
  return {
    model: stringOption(input, 'model'),
    brand: stringOption(input, 'brand'),
    version: stringOption(input, 'version'),
    seenSince: instantOption(input, 'seen-since'),
  };
}

/** `--rule ID`: only the devices behind on that rule. */
function complianceQuery(input: CommandInput): Query {
  const rule = stringOption(input, 'rule');
  return { ...filterQuery(input), ruleId: rule === undefined ? undefined : idArgument(rule, 'rule') };
}

/** A CSV export to stdout or -o FILE, saying on stderr what was written where. */
async function exportCsv(context: CommandContext, input: CommandInput, route: string, query: Query, what: string): Promise<void> {
  const file = stringOption(input, 'output');
  const bytes = await saveDownload(context, await context.api.download(route, query), file);
  if (bytes !== null) {
    printLine(context.stderr, `Wrote ${what} to ${file} (${bytes} bytes).`);
  }
}

/** One row per rule a device is behind on. */
interface BehindRow {
  device: DeviceComplianceView;
  module: DeviceComplianceView['behind'][number];
}

const BEHIND_COLUMNS: Column<BehindRow>[] = [
  { header: 'MacAddress', value: (row) => row.device.macAddress },
  { header: 'SerialNumber', value: (row) => row.device.serialNumber },
  { header: 'Brand', value: (row) => row.device.brand },
  { header: 'Model', value: (row) => row.device.model },
  { header: 'Locale', value: (row) => row.device.locale },
  { header: 'UpdateType', value: (row) => row.module.updateType },
  { header: 'Installed', value: (row) => row.module.installedVersion ?? '(none)' },
  { header: 'Offered', value: (row) => row.module.offeredVersion },
  { header: 'TestDevice', value: (row) => (row.device.isTestDevice ? 'yes' : 'no') },
  { header: 'LastSeenAt', value: (row) => row.device.lastSeenAt },
];

const COUNT_COLUMNS = (header: string): Column<DeviceCountView>[] => [
  { header, value: (count) => count.value },
  { header: 'Devices', value: (count) => count.devices },
];

const VERSION_COLUMNS: Column<VersionCountView>[] = [
  { header: 'UpdateType', value: (count) => count.updateType },
  { header: 'Version', value: (count) => count.version },
  { header: 'Devices', value: (count) => count.devices },
];

/** `87.5 %` of the rule's devices on its approved version; blank for a rule without devices. */
const share = (part: number, whole: number) => (whole === 0 ? '' : `${((100 * part) / whole).toFixed(1)} %`);

const ADOPTION_COLUMNS: Column<RuleAdoptionView>[] = [
  ...ruleKeyColumns(['brand', 'model', 'revision', 'locale', 'updateType']),
  { header: 'Approved', value: (rule) => rule.approvedVersion },
  { header: 'Pending', value: (rule) => rule.pendingVersion },
  { header: 'Devices', value: (rule) => rule.devices },
  { header: 'OnApproved', value: (rule) => rule.onApproved },
  { header: 'Share', value: (rule) => share(rule.onApproved, rule.devices) },
  { header: 'OnPending', value: (rule) => rule.onPending },
  { header: 'OnOther', value: (rule) => rule.onOther },
  { header: 'OnNone', value: (rule) => rule.onNone },
  { header: 'TestDevices', value: (rule) => rule.testDevices },
];

function showSummary(context: CommandContext, summary: DeviceSummaryView): void {
  if (context.json) {
    printJson(context, summary);
    return;
  }
  printLine(context.stdout, `${summary.devices} devices, ${summary.testDevices} of them test devices.`);
  const tables = [
    formatTable(summary.brands, COUNT_COLUMNS('Brand')),
    formatTable(summary.models, COUNT_COLUMNS('Model')),
    formatTable(summary.revisions, COUNT_COLUMNS('Revision')),
    formatTable(summary.locales, COUNT_COLUMNS('Locale')),
    formatTable(summary.updateTypes, COUNT_COLUMNS('UpdateType')),
    formatTable(summary.versions, VERSION_COLUMNS),
    formatTable(summary.rules, ADOPTION_COLUMNS),
  ];
  for (const table of tables) {
    printLine(context.stdout, '');
    printLine(context.stdout, table);
  }
}

export const DEVICE_COMMANDS: Command[] = [
  {
    name: 'get-device',
    aliases: ['devices list', 'devices show'],
    group: 'Devices',
    summary: 'list the devices that checked for updates (most recently seen first), or show one',
    usage: '[ID] [--model M] [--brand B] [--version V] [--seen-since WHEN] [--limit N]',
    description:
      'Lists the inventory: one entry per device (by MAC address, else serial number) that checked for updates, with the version of each update type it last reported, whether it is a test device, and when it was last seen. --model and --brand compare case-insensitively; --version finds devices that have any module at that version. With an ID, shows that device with every field: its identity, the modules it last reported, when it was first and last seen, through which node, from which address, and by which user.',
    options: OPTIONS,
    args: { min: 0, max: 1 },
    examples: [
      'ucupdates get-device --brand Polycom --model CX600',
      'ucupdates get-device --version 4.0.7577.4366 --json',
      'ucupdates get-device --seen-since 2024-05-01',
      `ucupdates get-device ${EXAMPLE_ID}`,
    ],
    async run(context, input) {
      refuseFiltersWithId(input, Object.keys(OPTIONS));
      if (input.args.length === 1) {
        const id = idArgument(input.args[0], 'device');
        const device = await context.api.send<DeviceView>({ method: 'GET', path: pathOf(ROUTES.device, { id }) });
        showRecord(context, device, deviceFields);
        return;
      }
      const devices = await context.api.listAll<DeviceView>(ROUTES.devices, filterQuery(input), integerOption(input, 'limit'));
      showList(context, devices, COLUMNS, 'devices match');
    },
  },
  {
    name: 'get-device-summary',
    group: 'Devices',
    summary: 'count the devices per brand, model, revision, locale, update type and version, and per rule',
    usage: FILTER_USAGE,
    description:
      "Counts the inventory, as Lync's IP Phone Inventory Report summed it up: how many devices there are (and how many test devices), per brand, model, revision, locale, update type and installed version, and per update rule how many devices of its kind run its approved version (and the share of them), its pending one, another one or none. True totals, counted by the pool's database whatever the inventory's size. The filters are get-device's.",
    options: FILTERS,
    args: { min: 0, max: 0 },
    examples: ['ucupdates get-device-summary', 'ucupdates get-device-summary --brand Polycom --seen-since 2024-05-01', 'ucupdates get-device-summary --json'],
    async run(context, input) {
      showSummary(context, await context.api.send<DeviceSummaryView>({ method: 'GET', path: ROUTES.devicesSummary, query: filterQuery(input) }));
    },
  },
  {
    name: 'get-device-compliance',
    group: 'Devices',
    summary: 'list the devices not on the version their rules offer them (most recently seen first)',
    usage: `${FILTER_USAGE} [--rule ID] [--limit N] [--csv [-o FILE]]`,
    description:
      "Answers \"which phones are not on it yet?\": every device not on the version one of its rules offers it — the approved version, or for a test device the pending one when there is one — or that reports none, one line per rule it is behind on, with the version it runs and the one offered. Versions compare as the update check compares them (4.1 is 4.1.0). --rule keeps the devices behind on one rule (its id, from get-rule). --csv downloads the same list as comma-separated values (one row per rule a device is behind on, after the inventory export's columns: Update Type, Installed Version, Offered Version) to stdout or -o FILE, streamed.",
    options: {
      ...FILTERS,
      rule: { type: 'string', value: 'ID', description: 'only the devices behind on this rule' },
      ...LIMIT,
      csv: { type: 'boolean', description: 'comma-separated values (every device behind; --limit does not apply)' },
      ...OUTPUT,
    },
    args: { min: 0, max: 0 },
    examples: [
      'ucupdates get-device-compliance --brand Polycom --model CX600',
      'ucupdates get-device-compliance --rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f --limit 100',
      'ucupdates get-device-compliance --csv -o behind.csv',
    ],
    async run(context, input) {
      const query = complianceQuery(input);
      if (input.options.csv === true) {
        await exportCsv(context, input, ROUTES.devicesComplianceExport, query, 'the devices behind on their rules');
        return;
      }
      const devices = await context.api.listAll<DeviceComplianceView>(ROUTES.devicesCompliance, query, integerOption(input, 'limit'));
      if (context.json) {
        printJson(context, devices);
        return;
      }
      const rows = devices.flatMap((device) => device.behind.map((module) => ({ device, module })));
      showList(context, rows, BEHIND_COLUMNS, 'devices are behind on their rules');
    },
  },
  {
    name: 'export-device-inventory',
    group: 'Devices',
    summary: 'save the device inventory as CSV, for reports',
    usage: `${FILTER_USAGE} [-o FILE]`,
    description:
      'Downloads the inventory (every device get-device lists, under the same filters) as comma-separated values with a header row — Mac Address, Serial Number, Device Type, Vendor, Model, Revision, Locale, Modules, Test Device, First Seen, Last Seen, Last Node, Last Address, User Id, Id — the way Lync administrators fed the IP Phone Inventory Report to spreadsheets; PowerShell\'s Import-Csv reads it by column name. Modules are UpdateType;Version joined by #. A cell that would start a spreadsheet formula (=, +, -, @) gets a leading \', as in export-request-audit. Written to stdout, or with -o to FILE, which appears only once the whole inventory has arrived; streamed.',
    options: { ...FILTERS, ...OUTPUT },
    args: { min: 0, max: 0 },
    examples: ['ucupdates export-device-inventory -o inventory.csv', 'ucupdates export-device-inventory --brand Polycom --seen-since 2024-05-01 > polycom.csv'],
    async run(context, input) {
      await exportCsv(context, input, ROUTES.devicesExport, filterQuery(input), 'the device inventory');
    },
  },
];
