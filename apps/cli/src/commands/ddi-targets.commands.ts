import { type DdiTargetView, type NewDdiTargetView, pathOf, ROUTES } from '@ucupdates/admin-api';
import { type Command, type CommandContext, type CommandInput, printLine, showDone, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';

const COLUMNS: Column<DdiTargetView>[] = [
  { header: 'ControllerId', value: (target) => target.controllerId },
  { header: 'Vendor', value: (target) => target.attributes.vendor },
  { header: 'Model', value: (target) => target.attributes.model },
  { header: 'HwRevision', value: (target) => target.attributes.hwRevision },
  { header: 'Locale', value: (target) => target.attributes.locale },
  { header: 'RegisteredBy', value: (target) => target.registeredBy },
  { header: 'TokenIssuedAt', value: (target) => target.tokenIssuedAt },
];

function targetFields(target: DdiTargetView): [string, unknown][] {
  return [
    ['ControllerId', target.controllerId],
    ...Object.entries(target.attributes).map(([name, value]): [string, unknown] => [`Attribute ${name}`, value]),
    ['RegisteredBy', target.registeredBy],
    ['TokenIssuedAt', target.tokenIssuedAt],
    ['CreatedAt', target.createdAt],
  ];
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

export const DDI_TARGET_COMMANDS: Command[] = [
  {
    name: 'get-ddi-target',
    group: GROUP,
    summary: 'list the DDI devices, or show one',
    usage: '[CONTROLLER-ID] [--vendor VENDOR] [--model MODEL] [--hw-revision REVISION]',
    description:
      'Shows the devices that update through hawkBit\'s DDI API (docs/ddi.md), by controller id: their attributes (which choose their rules), who registered them and when their target token was issued. Filters compare case-insensitively.',
    options: attributeOptions,
    args: { min: 0, max: 1 },
    examples: ['ucupdates get-ddi-target', 'ucupdates get-ddi-target --vendor Contoso --model Gateway-1', 'ucupdates get-ddi-target gw-0001 --json'],
    async run(context, input) {
      const filter = { vendor: stringOption(input, 'vendor'), model: stringOption(input, 'model'), hwRevision: stringOption(input, 'hw-revision') };
      if (input.args.length === 1) {
        const given = Object.entries(filter).filter(([, value]) => value !== undefined);
        if (given.length > 0) {
          throw new UsageError('give a controller id or filters, not both');
        }
        const target = await context.api.send<DdiTargetView>({ method: 'GET', path: pathOf(ROUTES.ddiTarget, { controllerId: controllerIdArgument(input) }) });
        showRecord(context, target, targetFields);
        return;
      }
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
