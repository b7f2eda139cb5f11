import type { Command, OptionSpec } from './command';
import { ExitCode } from './exit-codes';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', description: `the pool's internal listener (default: $UCU_URL, else ${DEFAULT_URL})` },
  token: {
    type: 'string',
    value: 'TOKEN',
    description: 'an admin API token (default: $UCU_TOKEN; prefer the variable, flags show in the process list)',
  },
  json: { type: 'boolean', description: "print the API's JSON; a list is every item of every page, as one array" },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

const EXIT_CODES: [ExitCode, string][] = [
  [ExitCode.Ok, 'done'],
  [ExitCode.Refused, 'refused by the API (400, 413, 422, …) or a package refused by its import'],
  [ExitCode.Usage, 'usage error: bad command, flags or arguments; nothing was sent'],
  [ExitCode.NotAuthorised, 'no token, an unknown token (401), or a role that may not do this (403)'],
  [ExitCode.NotFound, 'no such rule, test device, import, … (404)'],
  [ExitCode.Conflict, 'the state does not allow it (409): nothing pending, a duplicate name, …'],
  [ExitCode.ServerError, 'server or network error: 5xx, connection refused, no answer in time'],
];

const WIDTH = 100;

/** Words wrapped to the help's width, each line indented by `indent`. */
export function wrap(text: string, indent = '', width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((each) => `${indent}${each}`).join('\n');
}

function flag(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '';
  return `${short}--${name}${spec.value ? ` ${spec.value}` : ''}`;
}

/** Two columns: the flag, then its description wrapped under itself. */
function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options);
  const width = Math.max(...entries.map(([name, spec]) => flag(name, spec).length));
  return entries.map(([name, spec]) => {
    const indent = ' '.repeat(2 + width + 2);
    return `  ${flag(name, spec).padEnd(width)}  ${wrap(spec.description, indent).trimStart()}`;
  });
}

/** A command's name and its aliases: each finds it. */
export function namesOf(command: Command): string[] {
  return [command.name, ...(command.aliases ?? [])];
}

/** `  devices list  → get-device`: every alias and the command it stands for. */
function aliasLines(commands: readonly Command[]): string[] {
  const aliases = commands.flatMap((command) => (command.aliases ?? []).map((alias) => [alias, command.name]));
  const width = Math.max(0, ...aliases.map(([alias]) => alias.length));
  return aliases.map(([alias, name]) => `  ${alias.padEnd(width)}  alias of ${name}`);
}

export function globalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const aliases = aliasLines(commands);
  const groups = [...new Set(commands.map((command) => command.group))];
  return [
    "ucupdates: the command line of a ucupdates pool, Lync's device update cmdlets over the admin API.",
    '',
    'Usage: ucupdates [--url URL] [--token TOKEN] [--json] COMMAND [ARGUMENTS] [--help]',
    ...groups.flatMap((group) => [
      '',
      `${group}:`,
      ...commands.filter((command) => command.group === group).map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    ]),
    ...(aliases.length > 0 ? ['', 'Aliases (earlier names, still accepted):', ...aliases] : []),
    '',
    'Global options (before or after the command):',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Environment:',
    `  UCU_URL    the pool's internal listener (default ${DEFAULT_URL})`,
    '  UCU_TOKEN  an admin API token (ucupdates new-token makes one; npm start prints the first)',
    '',
    'Exit codes:',
    ...EXIT_CODES.map(([code, meaning]) => `  ${code}  ${meaning}`),
    '',
    'Examples:',
    '  export UCU_URL=http://127.0.0.1:8080 UCU_TOKEN=ucu_…',
    '  ucupdates import-update ./UCUpdates.cab',
    "  ucupdates get-rule --brand Polycom --model 'CX*'",
    '  ucupdates approve-rule 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f',
    '',
    'Run "ucupdates COMMAND --help" for a command\'s options and examples.',
  ].join('\n');
}

/** `ucupdates audit --help`: the two-word aliases that start with `group`, and what each stands for. */
export function groupHelp(commands: readonly Command[], group: string): string {
  const prefix = `${group.toLowerCase()} `;
  const members = commands.flatMap((command) =>
    (command.aliases ?? []).filter((alias) => alias.startsWith(prefix)).map((alias) => ({ sub: alias.slice(prefix.length), command })),
  );
  const width = Math.max(...members.map(({ sub }) => sub.length));
  return [
    `Usage: ucupdates ${group.toLowerCase()} SUBCOMMAND [ARGUMENTS] [--help]`,
    '',
    'Subcommands (aliases of the commands named after Lync\'s cmdlets):',
    ...members.map(({ sub, command }) => `  ${sub.padEnd(width)}  alias of ${command.name}: ${command.summary}`),
    '',
    `Run "ucupdates ${group.toLowerCase()} SUBCOMMAND --help" for a subcommand's options and examples.`,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options = Object.keys(command.options).length > 0 ? ['', 'Options:', ...optionLines(command.options)] : [];
  return [
    `Usage: ucupdates ${command.name}${command.usage ? ` ${command.usage}` : ''}`,
    ...(command.aliases?.length ? [`Aliases: ${command.aliases.join(', ')}`] : []),
    '',
    wrap(command.description),
    ...options,
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    'Exit codes: 0 done, 1 refused, 2 usage error, 3 not authorised, 4 not found, 5 conflict, 6 server or network error.',
  ].join('\n');
}
