import { type AdminAuditView, ROUTES } from '@ucupdates/admin-api';
import type { Query } from '../api-client';
import { type Command, type CommandInput, integerOption, showList, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';

const COLUMNS: Column<AdminAuditView>[] = [
  { header: 'At', value: (change) => change.at },
  { header: 'Actor', value: (change) => change.actor },
  { header: 'Role', value: (change) => change.role },
  { header: 'Action', value: (change) => change.action },
  { header: 'Subject', value: (change) => change.subject ?? change.target },
  { header: 'Target', value: (change) => change.target },
  { header: 'NodeId', value: (change) => change.nodeId },
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A moment as the API takes it (ISO 8601 with its offset). A bare date is that day's start in
 * UTC, the time every answer is given in.
 */
export function instantOption(input: CommandInput, name: string): string | undefined {
  const text = stringOption(input, name);
  if (text === undefined) {
    return undefined;
  }
  const value = DATE.test(text) ? `${text}T00:00:00Z` : text;
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--${name}: "${text}" is not a date (2024-05-31) or a time with its offset (2024-05-31T14:00:00Z)`);
  }
  return value;
}

export function auditQuery(input: CommandInput): Query {
  return {
    since: instantOption(input, 'since'),
    until: instantOption(input, 'until'),
    actor: stringOption(input, 'actor'),
    action: stringOption(input, 'action'),
    target: stringOption(input, 'target'),
    subject: stringOption(input, 'subject'),
  };
}

export const AUDIT_COMMANDS: Command[] = [
  {
    name: 'get-admin-audit',
    aliases: ['get-audit'],
    group: 'Pool',
    summary: 'show the administrative changes, newest first',
    usage: '[--since WHEN] [--until WHEN] [--actor NAME] [--action ACTION] [--target TARGET] [--subject NAME] [--limit N]',
    description:
      'Shows the admin audit: who changed what, when, through which node; each change names what it changed as administrators know it (Subject: a rule\'s key UCPhone/Polycom/CX600/A/ENU/CPE, a test device\'s scope/name, a token\'s name, a DDI target\'s controller id, a node\'s id and URL), recorded with the change, beside its Target (kind/id); --json adds each change\'s before and after. Every change made through the admin API has its row, written in the same transaction as the change.',
    options: {
      since: { type: 'string', value: 'WHEN', description: 'changes at or after this date (UTC) or time' },
      until: { type: 'string', value: 'WHEN', description: 'changes before this date (UTC) or time' },
      actor: { type: 'string', value: 'NAME', description: "the token's name that made the change" },
      action: { type: 'string', value: 'ACTION', description: 'e.g. rule.approve, testDevice.create, configuration.set, files.purge' },
      target: { type: 'string', value: 'TARGET', description: 'e.g. rule/ID, testDevice/ID, configuration/global' },
      subject: { type: 'string', value: 'NAME', description: 'what was changed, as Subject shows it, e.g. UCPhone/Polycom/CX600/A/ENU/CPE, global/Lobby phone (case-insensitive)' },
      limit: { type: 'string', value: 'N', description: 'only the newest N changes' },
    },
    args: { min: 0, max: 0 },
    examples: [
      'ucupdates get-admin-audit --since 2024-05-01 --limit 50',
      'ucupdates get-admin-audit --action rule.approve --json',
      'ucupdates get-admin-audit --target rule/6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f',
      'ucupdates get-admin-audit --subject UCPhone/Polycom/CX600/A/ENU/CPE',
    ],
    async run(context, input) {
      const changes = await context.api.listAll<AdminAuditView>(ROUTES.adminAudit, auditQuery(input), integerOption(input, 'limit'));
      showList(context, changes, COLUMNS, 'changes match');
    },
  },
];
