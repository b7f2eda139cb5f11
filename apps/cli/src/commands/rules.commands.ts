import { pathOf, ROUTES, type RuleView } from '@ucupdates/admin-api';
import type { Query } from '../api-client';
import {
  type Command,
  type CommandContext,
  type CommandInput,
  idArgument,
  type OptionSpec,
  refuseFiltersWithId,
  showDone,
  showList,
  showRecord,
  stringOption,
} from '../command';
import { UsageError } from '../exit-codes';
import { type Column, ruleKeyColumns, ruleKeyLines } from '../table';

/** The routes of Approve-, Reset- and Restore-CsDeviceUpdateRule. */
const ACTION_ROUTES = { approve: ROUTES.ruleApprove, reset: ROUTES.ruleReset, restore: ROUTES.ruleRestore } as const;

export const RULE_COLUMNS: Column<RuleView>[] = [
  { header: 'Id', value: (rule) => rule.id },
  ...ruleKeyColumns(),
  { header: 'ApprovedVersion', value: (rule) => rule.approvedVersion },
  { header: 'PendingVersion', value: (rule) => rule.pendingVersion },
  { header: 'RestoreVersion', value: (rule) => rule.restoreVersion },
];

function ruleFields(rule: RuleView): [string, unknown][] {
  return [
    ['Identity', rule.identity],
    ['Id', rule.id],
    ...ruleKeyLines(rule),
    ['ApprovedVersion', rule.approvedVersion],
    ['ApprovedAt', rule.approvedAt],
    ['PendingVersion', rule.pendingVersion],
    ['PendingAt', rule.pendingAt],
    ['RestoreVersion', rule.restoreVersion],
    ['PendingReplication', rule.replication?.pending],
    ['ApprovedReplication', rule.replication?.approved],
  ];
}

/** The flags of get-rule and the API's filter each stands for. */
const FILTERS = {
  'device-type': 'deviceType',
  brand: 'brand',
  model: 'model',
  revision: 'revision',
  locale: 'locale',
  'update-type': 'updateType',
} as const;

const filterOptions: Record<string, OptionSpec> = Object.fromEntries(
  Object.entries(FILTERS).map(([flag, field]) => [
    flag,
    { type: 'string', value: 'TEXT', description: `only rules whose ${field} matches (case-insensitive; * is a wildcard)` },
  ]),
);

export function ruleFilters(input: CommandInput): Query {
  return Object.fromEntries(Object.entries(FILTERS).map(([flag, field]) => [field, stringOption(input, flag)]));
}

/**
 * A rule's id, or its Lync identity (`service:WebServer:<pool fqdn>/<id>`, as get-rule shows it),
 * so an administrator can paste either.
 */
export function ruleId(value: string | undefined): string {
  return idArgument(value?.replace(/^service:WebServer:[^/]*\//i, ''), 'rule');
}

const GROUP = 'Device update rules';

const getRule: Command = {
  name: 'get-rule',
  group: GROUP,
  summary: 'list the device update rules, or show one',
  usage: '[ID] [--device-type T] [--brand B] [--model M] [--revision R] [--locale L] [--update-type U]',
  description:
    "Shows the rules the imported packages made (Get-CsDeviceUpdateRule): one per device type, brand, model, revision, locale and update type, with its approved, pending and restore versions. With an ID (the rule's id, or its Identity), that rule's details. Filters compare case-insensitively; quote a * wildcard so the shell leaves it alone.",
  options: filterOptions,
  args: { min: 0, max: 1 },
  examples: [
    'ucupdates get-rule',
    "ucupdates get-rule --brand Polycom --model 'CX*'",
    'ucupdates get-rule --update-type UCM --json',
    'ucupdates get-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f',
  ],
  async run(context, input) {
    refuseFiltersWithId(input, Object.keys(FILTERS));
    if (input.args.length === 1) {
      const rule = await context.api.send<RuleView>({ method: 'GET', path: pathOf(ROUTES.rule, { id: ruleId(input.args[0]) }) });
      showRecord(context, rule, ruleFields);
      return;
    }
    const rules = await context.api.listAll<RuleView>(ROUTES.rules, ruleFilters(input));
    showList(context, rules, RULE_COLUMNS, 'rules match');
  },
};

/** approve, reset and restore: a POST that answers the rule as it now is. */
function ruleChange(
  action: 'approve' | 'reset' | 'restore',
  spec: Pick<Command, 'summary' | 'description' | 'examples'> & { options?: Command['options'] },
  query: (input: CommandInput) => Query = () => ({}),
): Command {
  return {
    name: `${action}-rule`,
    group: GROUP,
    summary: spec.summary,
    description: spec.description,
    examples: spec.examples,
    usage: spec.options ? 'ID [--force]' : 'ID',
    options: spec.options ?? {},
    args: { min: 1, max: 1 },
    async run(context: CommandContext, input: CommandInput) {
      const id = ruleId(input.args[0]);
      const rule = await context.api.send<RuleView>({ method: 'POST', path: pathOf(ACTION_ROUTES[action], { id }), query: query(input) });
      showRecord(context, rule, ruleFields);
    },
  };
}

const approveRule = ruleChange(
  'approve',
  {
    summary: "approve a rule's pending version for every phone",
    description:
      "Approves the rule's pending version (Approve-CsDeviceUpdateRule): every phone of the kind is offered it; the previously approved version becomes the restore version. Refused (exit 5) when nothing is pending (NoPendingVersion), or while an active node lacks a file of the pending version (NotReplicated) unless --force.",
    options: { force: { type: 'boolean', description: 'approve even while a node of the pool lacks a file of the pending version' } },
    examples: ['ucupdates approve-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f', 'ucupdates approve-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f --force'],
  },
  (input) => ({ force: input.options.force === true ? 'true' : undefined }),
);

const resetRule = ruleChange('reset', {
  summary: "cancel a rule's pending version",
  description:
    "Cancels the rule's pending version (Reset-CsDeviceUpdateRule): test devices go back to the approved version. Refused (exit 5, NoPendingVersion) when nothing is pending.",
  examples: ['ucupdates reset-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f'],
});

const restoreRule = ruleChange('restore', {
  summary: 'roll a rule back to its restore version',
  description:
    'Rolls the rule back (Restore-CsDeviceUpdateRule): the approved version goes back to the restore version, or to none. Refused (exit 5, NothingToRestore) when no version is approved.',
  examples: ['ucupdates restore-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f'],
});

const removeRule: Command = {
  name: 'remove-rule',
  group: GROUP,
  summary: 'remove a rule and its versions',
  usage: 'ID',
  description:
    'Removes the rule and its versions (Remove-CsDeviceUpdateRule). Its files stay in the pool until clear-files removes the ones no rule uses.',
  options: {},
  args: { min: 1, max: 1 },
  examples: ['ucupdates remove-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f'],
  async run(context, input) {
    const id = ruleId(input.args[0]);
    await context.api.send({ method: 'DELETE', path: pathOf(ROUTES.rule, { id }) });
    showDone(context, `Removed rule ${id}.`);
  },
};

export const RULE_COMMANDS: Command[] = [getRule, approveRule, resetRule, restoreRule, removeRule];
