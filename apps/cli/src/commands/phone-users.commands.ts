import { pathOf, type PhoneUserView, ROUTES } from '@ucupdates/admin-api';
import { type Command, type CommandContext, idArgument, type Input, showDone, showList, showRecord, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import type { Column } from '../table';

const COLUMNS: Column<PhoneUserView>[] = [
  { header: 'Id', value: (user) => user.id },
  { header: 'UserId', value: (user) => user.userId },
  { header: 'CreatedAt', value: (user) => user.createdAt },
];

/** Piped: everything up to the end, less one final line break (`echo` adds one). */
export async function readPiped(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
  }
  return text.replace(/\r?\n$/, '');
}

/** On a terminal: a prompt on stderr and nothing echoed, so the password is not left on screen. */
async function readHidden(stdin: Input, stderr: CommandContext['stderr']): Promise<string> {
  stderr.write('Password: ');
  stdin.setRawMode?.(true);
  let password = '';
  try {
    for await (const chunk of stdin) {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n' || character === '\u0004') {
          return password;
        }
        if (character === '\u0003') {
          throw new UsageError('cancelled');
        }
        password = character === '\u007f' || character === '\b' ? password.slice(0, -1) : password + character;
      }
    }
    return password;
  } finally {
    stdin.setRawMode?.(false);
    stderr.write('\n');
  }
}

const GROUP = 'Access';

export const PHONE_USER_COMMANDS: Command[] = [
  {
    name: 'new-phone-user',
    group: GROUP,
    summary: 'add a user to the built-in phone directory',
    usage: '--user-id sip:USER@DOMAIN --password-stdin',
    description:
      'Adds a user whose phone may sign in to the external listener (the built-in directory, for labs and tests; admin role needed). The password is read from stdin only, so it never shows in the process list or the shell history; on a terminal it is asked for without echo. It is stored as a slow hash and never shown.',
    options: {
      'user-id': { type: 'string', value: 'SIP', description: 'the SIP address, e.g. sip:alice@contoso.com' },
      'password-stdin': { type: 'boolean', description: 'read the password (8 characters or more) from stdin' },
    },
    args: { min: 0, max: 0 },
    examples: [
      'ucupdates new-phone-user --user-id sip:alice@contoso.com --password-stdin',
      'printf %s "$ALICE_PASSWORD" | ucupdates new-phone-user --user-id sip:alice@contoso.com --password-stdin',
    ],
    async run(context, input) {
      const userId = stringOption(input, 'user-id');
      if (userId === undefined) {
        throw new UsageError('--user-id is required');
      }
      if (input.options['password-stdin'] !== true) {
        throw new UsageError('--password-stdin is required: the password is read from stdin, never from the command line');
      }
      const password = context.stdin.isTTY ? await readHidden(context.stdin, context.stderr) : await readPiped(context.stdin);
      if (password === '') {
        throw new UsageError('no password on stdin');
      }
      const user = await context.api.send<PhoneUserView>({ method: 'POST', path: ROUTES.phoneUsers, body: { userId, password } });
      showRecord(context, user, (each) => [
        ['Id', each.id],
        ['UserId', each.userId],
        ['CreatedAt', each.createdAt],
      ]);
    },
  },
  {
    name: 'get-phone-user',
    group: GROUP,
    summary: 'list the users of the built-in phone directory',
    usage: '',
    description: 'Lists the users of the built-in phone directory (never their passwords).',
    options: {},
    args: { min: 0, max: 0 },
    examples: ['ucupdates get-phone-user'],
    async run(context) {
      showList(context, await context.api.listAll<PhoneUserView>(ROUTES.phoneUsers), COLUMNS, 'phone users');
    },
  },
  {
    name: 'remove-phone-user',
    group: GROUP,
    summary: 'remove a user from the built-in phone directory',
    usage: 'ID',
    description: 'Removes a user from the built-in phone directory (admin role needed): the phone can no longer sign in.',
    options: {},
    args: { min: 1, max: 1 },
    examples: ['ucupdates remove-phone-user 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a'],
    async run(context, input) {
      const id = idArgument(input.args[0], 'phone user');
      await context.api.send({ method: 'DELETE', path: pathOf(ROUTES.phoneUser, { id }) });
      showDone(context, `Removed phone user ${id}.`);
    },
  },
];
