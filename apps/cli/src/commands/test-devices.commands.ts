import { pathOf, ROUTES, type TestDeviceView } from '@ucupdates/admin-api';
import { type Command, type CommandInput, idArgument, showDone, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';

const COLUMNS: Column<TestDeviceView>[] = [
  { header: 'Id', value: (device) => device.id },
  { header: 'Scope', value: (device) => device.scope },
  { header: 'Name', value: (device) => device.name },
  { header: 'IdentifierType', value: (device) => device.identifierType },
  { header: 'Identifier', value: (device) => device.identifier },
];

function deviceFields(device: TestDeviceView): [string, unknown][] {
  return [
    ['Id', device.id],
    ['Scope', device.scope],
    ['Name', device.name],
    ['IdentifierType', device.identifierType],
    ['Identifier', device.identifier],
  ];
}

const identifierOptions = {
  'mac-address': { type: 'string', value: 'MAC', description: 'identify the phone by its MAC address (six or more hex pairs)' },
  'serial-number': { type: 'string', value: 'SERIAL', description: 'identify the phone by its serial number (letters, digits, - and _)' },
  'controller-id': {
    type: 'string',
    value: 'ID',
    description: 'identify a DDI device (docs/ddi.md) by its controller id (1-64 letters, digits, ".", "_", "-" and ":")',
  },
} as const;

/** Each identifier option and the API's identifierType it gives. */
const IDENTIFIER_OPTIONS: [keyof typeof identifierOptions, TestDeviceView['identifierType']][] = [
  ['mac-address', 'MACAddress'],
  ['serial-number', 'SerialNumber'],
  ['controller-id', 'ControllerId'],
];

/** `--mac-address`, `--serial-number` or `--controller-id` as the API's identifierType and identifier (one at most). */
export function identifierOf(input: CommandInput): { identifierType: TestDeviceView['identifierType']; identifier: string } | null {
  const given = IDENTIFIER_OPTIONS.flatMap(([option, identifierType]) => {
    const identifier = stringOption(input, option);
    return identifier === undefined ? [] : [{ option, identifierType, identifier }];
  });
  if (given.length > 1) {
    throw new UsageError(`give only one of ${given.map(({ option }) => `--${option}`).join(', ')}: a test device has one identifier`);
  }
  return given.length === 0 ? null : { identifierType: given[0].identifierType, identifier: given[0].identifier };
}

/** The body of `POST /api/v1/test-devices`; the API checks the identifier's form and names the field. */
export function newTestDeviceBody(input: CommandInput): Record<string, string> {
  const name = stringOption(input, 'name');
  if (name === undefined) {
    throw new UsageError('--name is required');
  }
  const identifier = identifierOf(input);
  if (!identifier) {
    throw new UsageError('give --mac-address, --serial-number or --controller-id');
  }
  return { scope: stringOption(input, 'scope') ?? 'global', name, ...identifier };
}

/** The body of `PATCH /api/v1/test-devices/{id}`: only what is to change. */
export function setTestDeviceBody(input: CommandInput): Record<string, string> {
  const changes: Record<string, string | undefined> = {
    name: stringOption(input, 'name'),
    scope: stringOption(input, 'scope'),
    ...identifierOf(input),
  };
  const body = Object.fromEntries(Object.entries(changes).filter((entry): entry is [string, string] => entry[1] !== undefined));
  if (Object.keys(body).length === 0) {
    throw new UsageError('nothing to change: give --name, --mac-address, --serial-number, --controller-id or --scope');
  }
  return body;
}

const GROUP = 'Test devices';
const EXAMPLE_ID = '0b8d7c6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e';

export const TEST_DEVICE_COMMANDS: Command[] = [
  {
    name: 'get-test-device',
    group: GROUP,
    summary: 'list the test devices, or show one',
    usage: '[ID] [--scope global|site:NAME]',
    description:
      'Shows the test devices (Get-CsTestDevice): phones and DDI devices that are offered a rule\'s pending version before it is approved. A device in scope "global" applies to the whole pool; one in "site:NAME" when the pool\'s site is NAME.',
    options: { scope: { type: 'string', value: 'SCOPE', description: 'only the devices of this scope: global or site:NAME' } },
    args: { min: 0, max: 1 },
    examples: ['ucupdates get-test-device', 'ucupdates get-test-device --scope site:Redmond', `ucupdates get-test-device ${EXAMPLE_ID} --json`],
    async run(context, input) {
      if (input.args.length === 1) {
        if (input.options.scope !== undefined) {
          throw new UsageError('give an ID or --scope, not both');
        }
        const device = await context.api.send<TestDeviceView>({
          method: 'GET',
          path: pathOf(ROUTES.testDevice, { id: idArgument(input.args[0], 'test device') }),
        });
        showRecord(context, device, deviceFields);
        return;
      }
      const devices = await context.api.listAll<TestDeviceView>(ROUTES.testDevices, { scope: stringOption(input, 'scope') });
      showList(context, devices, COLUMNS, 'test devices');
    },
  },
  {
    name: 'new-test-device',
    group: GROUP,
    summary: 'add a test device',
    usage: '--name NAME (--mac-address MAC | --serial-number SERIAL | --controller-id ID) [--scope global|site:NAME]',
    description:
      'Adds a test device (New-CsTestDevice): a phone identified by its MAC address or its serial number, or a DDI device by its controller id. A name is unique within its scope (exit 5 otherwise). The scope is global unless --scope says otherwise.',
    options: {
      name: { type: 'string', value: 'NAME', description: 'the name shown to administrators, unique within the scope' },
      ...identifierOptions,
      scope: { type: 'string', value: 'SCOPE', description: 'global (the default) or site:NAME' },
    },
    args: { min: 0, max: 0 },
    examples: [
      'ucupdates new-test-device --name "Lab CX600" --mac-address 00-04-F2-12-34-56',
      'ucupdates new-test-device --name "Desk 12" --serial-number SN12345 --scope site:Redmond',
      'ucupdates new-test-device --name "Lab gateway" --controller-id gw-0001',
    ],
    async run(context, input) {
      const device = await context.api.send<TestDeviceView>({ method: 'POST', path: ROUTES.testDevices, body: newTestDeviceBody(input) });
      showRecord(context, device, deviceFields);
    },
  },
  {
    name: 'set-test-device',
    group: GROUP,
    summary: "change a test device's name, identifier or scope",
    usage: 'ID [--name NAME] [--mac-address MAC | --serial-number SERIAL | --controller-id ID] [--scope SCOPE]',
    description: 'Changes a test device (Set-CsTestDevice); what is not given stays. A new identifier may be of the other type.',
    options: {
      name: { type: 'string', value: 'NAME', description: 'the new name' },
      ...identifierOptions,
      scope: { type: 'string', value: 'SCOPE', description: 'the new scope: global or site:NAME' },
    },
    args: { min: 1, max: 1 },
    examples: [`ucupdates set-test-device ${EXAMPLE_ID} --name "Lab CX600 #2"`, `ucupdates set-test-device ${EXAMPLE_ID} --serial-number SN99`],
    async run(context, input) {
      const id = idArgument(input.args[0], 'test device');
      const device = await context.api.send<TestDeviceView>({ method: 'PATCH', path: pathOf(ROUTES.testDevice, { id }), body: setTestDeviceBody(input) });
      showRecord(context, device, deviceFields);
    },
  },
  {
    name: 'remove-test-device',
    group: GROUP,
    summary: 'remove a test device',
    usage: 'ID',
    description: 'Removes a test device (Remove-CsTestDevice): the phone is offered approved versions only.',
    options: {},
    args: { min: 1, max: 1 },
    examples: [`ucupdates remove-test-device ${EXAMPLE_ID}`],
    async run(context, input) {
      const id = idArgument(input.args[0], 'test device');
      await context.api.send({ method: 'DELETE', path: pathOf(ROUTES.testDevice, { id }) });
      showDone(context, `Removed test device ${id}.`);
    },
  },
];
