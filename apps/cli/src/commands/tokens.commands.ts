import { isRole, type NewTokenView, pathOf, type Role, ROLES, ROUTES, type TokenView } from '@ucupdates/admin-api';
import { type Command, idArgument, printLine, showDone, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';

const COLUMNS: Column<TokenView>[] = [
  { header: 'Id', value: (token) => token.id },
  { header: 'Name', value: (token) => token.name },
  { header: 'Role', value: (token) => token.role },
  { header: 'CreatedBy', value: (token) => token.createdBy },
  { header: 'CreatedAt', value: (token) => token.createdAt },
  { header: 'LastUsedAt', value: (token) => token.lastUsedAt },
];

/** The body of `POST /api/v1/tokens`. */
export function newTokenBody(name: string | undefined, role: string | undefined): { name: string; role: Role } {
  if (name === undefined || name.trim() === '') {
    throw new UsageError('--name is required: it names the token in the admin audit');
  }
  if (!isRole(role)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  }
  return { name, role };
}

const GROUP = 'Access';

export const TOKEN_COMMANDS: Command[] = [
  {
    name: 'new-token',
    group: GROUP,
    summary: 'make an admin API token (shown once)',
    usage: '--name NAME --role admin|operator|viewer',
    description:
      'Makes a token for the admin API (admin role needed). The token is shown this once: only its hash is kept. admin may do everything; operator may upload packages, change rules and test devices and read everything; viewer may read everything but tokens and phone users.',
    options: {
      name: { type: 'string', value: 'NAME', description: 'who or what uses it; the admin audit shows it as the actor' },
      role: { type: 'string', value: 'ROLE', description: 'admin, operator or viewer' },
    },
    args: { min: 0, max: 0 },
    examples: ['ucupdates new-token --name helpdesk --role viewer', 'ucupdates new-token --name "nightly import" --role operator --json'],
    async run(context, input) {
      const body = newTokenBody(stringOption(input, 'name'), stringOption(input, 'role'));
      const token = await context.api.send<NewTokenView>({ method: 'POST', path: ROUTES.tokens, body });
      showRecord(context, token, (each) => [
        ['Id', each.id],
        ['Name', each.name],
        ['Role', each.role],
        ['Token', each.token],
      ]);
      printLine(context.stderr, 'Keep the token now: it is not shown again.');
    },
  },
  {
    name: 'get-token',
    group: GROUP,
    summary: 'list the admin API tokens (never their values)',
    usage: '',
    description: 'Lists the admin API tokens: name, role, who made them and when they were last used (admin role needed).',
    options: {},
    args: { min: 0, max: 0 },
    examples: ['ucupdates get-token'],
    async run(context) {
      showList(context, await context.api.listAll<TokenView>(ROUTES.tokens), COLUMNS, 'tokens');
    },
  },
  {
    name: 'remove-token',
    group: GROUP,
    summary: 'revoke an admin API token',
    usage: 'ID',
    description: 'Revokes a token at once, on every node (admin role needed).',
    options: {},
    args: { min: 1, max: 1 },
    examples: ['ucupdates remove-token 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'],
    async run(context, input) {
      const id = idArgument(input.args[0], 'token');
      await context.api.send({ method: 'DELETE', path: pathOf(ROUTES.token, { id }) });
      showDone(context, `Removed token ${id}.`);
    },
  },
];
