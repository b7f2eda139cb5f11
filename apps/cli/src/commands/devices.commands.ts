import { type DeviceView, pathOf, ROUTES } from '@ucupdates/admin-api';
import { type Command, idArgument, integerOption, refuseFiltersWithId, showList, showRecord, stringOption } from '../command';
import type { Column } from '../table';
import { instantOption } from './audit.commands';

/** `CPE 4.0.7577.4366`: each update type the device reported and its version. */
const modules = (device: DeviceView) => device.modules.map((module) => `${module.updateType} ${module.version}`);

const COLUMNS: Column<DeviceView>[] = [
  { header: 'Id', value: (device) => device.id },
  { header: 'MacAddress', value: (device) => device.macAddress },
  { header: 'SerialNumber', value: (device) => device.serialNumber },
  { header: 'Brand', value: (device) => device.brand },
  { header: 'Model', value: (device) => device.model },
  { header: 'Revision', value: (device) => device.revision },
  { header: 'Locale', value: (device) => device.locale },
  { header: 'Modules', value: modules },
  { header: 'TestDevice', value: (device) => (device.isTestDevice ? 'yes' : 'no') },
  { header: 'LastSeenAt', value: (device) => device.lastSeenAt },
];

function deviceFields(device: DeviceView): [string, unknown][] {
  return [
    ['Id', device.id],
    ['MacAddress', device.macAddress],
    ['SerialNumber', device.serialNumber],
    ['DeviceType', device.deviceType],
    ['Brand', device.brand],
    ['Model', device.model],
    ['Revision', device.revision],
    ['Locale', device.locale],
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

const OPTIONS: Command['options'] = {
  model: { type: 'string', value: 'M', description: 'devices of this model' },
  brand: { type: 'string', value: 'B', description: 'devices of this brand (the vendor the phone reports)' },
  version: { type: 'string', value: 'V', description: 'devices with any module at this version, e.g. 4.0.7577.4372' },
  'seen-since': { type: 'string', value: 'WHEN', description: 'devices last seen at or after this date (UTC) or time' },
  limit: { type: 'string', value: 'N', description: 'only the N most recently seen' },
};

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
      const query = {
        model: stringOption(input, 'model'),
        brand: stringOption(input, 'brand'),
        version: stringOption(input, 'version'),
        seenSince: instantOption(input, 'seen-since'),
      };
      const devices = await context.api.listAll<DeviceView>(ROUTES.devices, query, integerOption(input, 'limit'));
      showList(context, devices, COLUMNS, 'devices match');
    },
  },
];
