import { type DdiActionView, pathOf, ROUTES } from '@ucupdates/admin-api';
import { type Command, integerOption, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';

const COLUMNS: Column<DdiActionView>[] = [
  { header: 'Id', value: (action) => action.id },
  { header: 'ControllerId', value: (action) => action.controllerId },
  { header: 'Model', value: (action) => action.model },
  { header: 'UpdateType', value: (action) => action.updateType },
  { header: 'Version', value: (action) => action.version },
  { header: 'Status', value: (action) => action.status },
  { header: 'LastFeedback', value: (action) => (action.lastFeedback ? `${action.lastFeedback.execution}/${action.lastFeedback.finished}` : null) },
  { header: 'UpdatedAt', value: (action) => action.updatedAt },
];

function actionFields(action: DdiActionView): [string, unknown][] {
  return [
    ['Id', action.id],
    ['ControllerId', action.controllerId],
    ['Rule', [action.deviceType, action.brand, action.model, action.revision, action.locale, action.updateType].join('/')],
    ['Version', action.version],
    ['Status', action.status],
    ['LastFeedback', action.lastFeedback ? `${action.lastFeedback.execution}/${action.lastFeedback.finished}` : null],
    ['Details', action.lastFeedback?.details ?? []],
    ['CreatedAt', action.createdAt],
    ['ClosedAt', action.closedAt],
    ['RetriedAt', action.retriedAt],
  ];
}

const ACTION_ID = /^[1-9][0-9]{0,17}$/;

export const DDI_ACTION_COMMANDS: Command[] = [
  {
    name: 'get-ddi-action',
    group: 'DDI devices',
    summary: "list DDI devices' actions (newest first)",
    usage: '[--controller-id ID] [--status S] [--limit N]',
    description:
      'Lists the actions of DDI devices (docs/ddi.md): each version offered to one device, with its status (open, cancelling, succeeded, failed, cancelled) and what the device last reported. --controller-id shows one device\'s; --status only those in that status.',
    options: {
      'controller-id': { type: 'string', value: 'ID', description: "one DDI device's actions" },
      status: { type: 'string', value: 'S', description: 'open, cancelling, succeeded, failed or cancelled' },
      limit: { type: 'string', value: 'N', description: 'only the N newest' },
    },
    args: { min: 0, max: 0 },
    examples: ['ucupdates get-ddi-action --controller-id gw-0001', 'ucupdates get-ddi-action --status failed --json'],
    async run(context, input) {
      const query = { controllerId: stringOption(input, 'controller-id'), status: stringOption(input, 'status') };
      const actions = await context.api.listAll<DdiActionView>(ROUTES.ddiActions, query, integerOption(input, 'limit'));
      showList(context, actions, COLUMNS, 'actions match');
    },
  },
  {
    name: 'retry-ddi-action',
    group: 'DDI devices',
    summary: "offer a failed DDI action's version to its device again",
    usage: 'ID',
    description:
      "A failed action's version is not offered to its device again until its rule changes; this lets the device's next poll open a new action for it (operator role needed).",
    options: {},
    args: { min: 1, max: 1 },
    examples: ['ucupdates retry-ddi-action 1042'],
    async run(context, input) {
      const id = input.args[0];
      if (!ACTION_ID.test(id)) throw new UsageError(`${JSON.stringify(id)} is not an action id`);
      const action = await context.api.send<DdiActionView>({ method: 'POST', path: pathOf(ROUTES.ddiActionRetry, { id }) });
      showRecord(context, action, actionFields);
    },
  },
];
