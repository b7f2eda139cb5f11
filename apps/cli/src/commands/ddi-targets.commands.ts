import { type DdiResultView, type DdiTargetDetailView, type DdiTargetView, type NewDdiTargetView, pathOf, ROUTES } from '@ucupdates/admin-api';
import { type Command, type CommandContext, type CommandInput, printLine, showDone, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';
import { instantOption } from './audit.commands';

/** `os 2.4.1`: each update type the device installed and its version. */
const installed = (target: DdiTargetView) => target.installed.map((module) => `${module.updateType} ${module.version}`);

/** `1042 os 2.4.1 (open)`: the action the device has open. */
const openAction = (target: DdiTargetView) =>
  target.openAction === null ? null : `${target.openAction.id} ${target.openAction.updateType} ${target.openAction.version} (${target.openAction.status})`;

/** `2024-05-01T10:00:00.000Z node-1 10.0.0.7`: when, which node, from where. */
const lastPoll = (target: DdiTargetView) => (target.lastPoll === null ? null : `${target.lastPoll.at} ${target.lastPoll.nodeId} ${target.lastPoll.address}`);

/** `1041 os 2.4.0 closed/success at 2024-05-01T10:00:00.000Z (succeeded)`: one result the device reported. */
const result = (each: DdiResultView) => `${each.actionId} ${each.updateType} ${each.version} ${each.execution}/${each.finished} at ${each.at} (${each.status})`;

const COLUMNS: Column<DdiTargetView>[] = [
  { header: 'ControllerId', value: (target) => target.controllerId },
  { header: 'Vendor', value: (target) => target.attributes.vendor },
  { header: 'Model', value: (target) => target.attributes.model },
  { header: 'HwRevision', value: (target) => target.attributes.hwRevision },
  { header: 'Locale', value: (target) => target.attributes.locale },
  { header: 'Installed', value: installed },
  { header: 'OpenAction', value: (target) => (target.openAction === null ? null : `${target.openAction.id} ${target.openAction.version} ${target.openAction.status}`) },
  { header: 'LastPollAt', value: (target) => target.lastPoll?.at },
  { header: 'RegisteredBy', value: (target) => target.registeredBy },
];

function targetFields(target: DdiTargetView): [string, unknown][] {
  return [
    ['ControllerId', target.controllerId],
    ...Object.entries(target.attributes).map(([name, value]): [string, unknown] => [`Attribute ${name}`, value]),
    ['Installed', installed(target)],
    ['LastPoll', lastPoll(target)],
    ['LastSeenAt', target.lastSeenAt],
    ['OpenAction', openAction(target)],
    ['RegisteredBy', target.registeredBy],
    ['TokenIssuedAt', target.tokenIssuedAt],
    ['CreatedAt', target.createdAt],
  ];
}

/** One device in full: its fields, then its last results, a line each (the list's `Details` style). */
function detailFields(target: DdiTargetDetailView): [string, unknown][] {
  const results = target.results.map(result);
  return [...targetFields(target), ...(results.length === 0 ? [['Results', null] as [string, unknown]] : results.map((line, i): [string, unknown] => [i === 0 ? 'Results' : '', line]))];
}

/** The target and the token issued for it, which is shown this once. */
function showNewToken(context: CommandContext, target: NewDdiTargetView): void {
  showRecord(context, target, (each) => [...targetFields(each), ['Token', each.token]]);
  printLine(context.stderr, 'Keep the target token now: it is not shown again. The device sends it as "Authorization: TargetToken <token>".');
}

function controllerIdArgument(input: CommandInput): string {
  const controllerId = input.args[0];
  if (controllerId === undefined || controllerId === '') {
    throw new UsageError("give the device's controller id");
  }
  return controllerId;
}

/** The body of `POST /api/v1/ddi/targets`; the API checks each value's form and names the field. */
export function newDdiTargetBody(input: CommandInput): { controllerId: string; attributes: Record<string, string> } {
  const attributes: Record<string, string | undefined> = {
    vendor: stringOption(input, 'vendor'),
    model: stringOption(input, 'model'),
    hwRevision: stringOption(input, 'hw-revision'),
    locale: stringOption(input, 'locale'),
  };
  const missing = (['vendor', 'model', 'hw-revision'] as const).filter((option) => stringOption(input, option) === undefined);
  if (missing.length > 0) {
    throw new UsageError(`${missing.map((option) => `--${option}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} required: the rules of a DDI device are chosen by them`);
  }
  return {
    controllerId: controllerIdArgument(input),
    attributes: Object.fromEntries(Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  };
}

const GROUP = 'DDI devices';

const attributeOptions = {
  vendor: { type: 'string', value: 'VENDOR', description: "the device's vendor: the rule's Brand" },
  model: { type: 'string', value: 'MODEL', description: "the device's model: the rule's Model" },
  'hw-revision': { type: 'string', value: 'REVISION', description: "the device's hardware revision: the rule's Revision" },
} as const;

/** get-ddi-target's filters beyond the attributes: the phones' inventory filters that apply to DDI devices. */
const listOptions = {
  ...attributeOptions,
  'installed-version': { type: 'string', value: 'V', description: 'devices that installed this version (any update type)' },
  'seen-since': { type: 'string', value: 'WHEN', description: 'devices whose last request came at or after this date (UTC) or time' },
} as const;

export const DDI_TARGET_COMMANDS: Command[] = [
  {
    name: 'get-ddi-target',
    group: GROUP,
    summary: 'list the DDI devices, or show one with its last results',
    usage: '[CONTROLLER-ID] [--vendor VENDOR] [--model MODEL] [--hw-revision REVISION] [--installed-version V] [--seen-since WHEN]',
    description:
      "Shows the devices that update through hawkBit's DDI API (docs/ddi.md), by controller id: their attributes (which choose their rules), the versions they installed, their open action and last poll. With a controller id: one device in full, with when and where it last polled and was last seen, and the results it reported on its newest actions. Attribute filters compare case-insensitively.",
    options: listOptions,
    args: { min: 0, max: 1 },
    examples: [
      'ucupdates get-ddi-target',
      'ucupdates get-ddi-target --vendor Contoso --model Gateway-1 --installed-version 2.4.1',
      'ucupdates get-ddi-target gw-0001',
      'ucupdates get-ddi-action --controller-id gw-0001',
    ],
    async run(context, input) {
      if (input.args.length === 1) {
        if (Object.keys(listOptions).some((option) => input.options[option] !== undefined)) {
          throw new UsageError('give a controller id or filters, not both');
        }
        const target = await context.api.send<DdiTargetDetailView>({ method: 'GET', path: pathOf(ROUTES.ddiTarget, { controllerId: controllerIdArgument(input) }) });
        showRecord(context, target, detailFields);
        return;
      }
      const filter = {
        vendor: stringOption(input, 'vendor'),
        model: stringOption(input, 'model'),
        hwRevision: stringOption(input, 'hw-revision'),
        installedVersion: stringOption(input, 'installed-version'),
        seenSince: instantOption(input, 'seen-since'),
      };
      showList(context, await context.api.listAll<DdiTargetView>(ROUTES.ddiTargets, filter), COLUMNS, 'DDI devices');
    },
  },
  {
    name: 'new-ddi-target',
    group: GROUP,
    summary: 'register a DDI device and issue its target token (shown once)',
    usage: 'CONTROLLER-ID --vendor VENDOR --model MODEL --hw-revision REVISION [--locale LOCALE]',
    description:
      'Registers a device that updates through hawkBit\'s DDI API (operator role needed) with the attributes its rules are chosen by (DeviceType DDI, Brand = vendor, Model = model, Revision = hardware revision, Locale = locale or Neutral), and issues its target token: shown this once, only its hash is kept. A controller id already registered exits 5.',
    options: {
      ...attributeOptions,
      locale: { type: 'string', value: 'LOCALE', description: "the device's locale: the rule's Locale (Neutral when not given)" },
    },
    args: { min: 1, max: 1 },
    examples: ['ucupdates new-ddi-target gw-0001 --vendor Contoso --model Gateway-1 --hw-revision 1.0'],
    async run(context, input) {
      showNewToken(context, await context.api.send<NewDdiTargetView>({ method: 'POST', path: ROUTES.ddiTargets, body: newDdiTargetBody(input) }));
    },
  },
  {
    name: 'new-ddi-target-token',
    group: GROUP,
    summary: "issue a DDI device's target token again (shown once; the old one stops working)",
    usage: 'CONTROLLER-ID',
    description: 'Issues a new target token for a registered DDI device (operator role needed): shown this once; the old token stops working at once.',
    options: {},
    args: { min: 1, max: 1 },
    examples: ['ucupdates new-ddi-target-token gw-0001'],
    async run(context, input) {
      const path = pathOf(ROUTES.ddiTargetToken, { controllerId: controllerIdArgument(input) });
      showNewToken(context, await context.api.send<NewDdiTargetView>({ method: 'POST', path }));
    },
  },
  {
    name: 'remove-ddi-target',
    group: GROUP,
    summary: 'remove a DDI device and its token',
    usage: 'CONTROLLER-ID',
    description: 'Removes a DDI device (operator role needed): its target token stops working; what it did stays in the request audit.',
    options: {},
    args: { min: 1, max: 1 },
    examples: ['ucupdates remove-ddi-target gw-0001'],
    async run(context, input) {
      const controllerId = controllerIdArgument(input);
      await context.api.send({ method: 'DELETE', path: pathOf(ROUTES.ddiTarget, { controllerId }) });
      showDone(context, `Removed DDI device ${controllerId}.`);
    },
  },
];
