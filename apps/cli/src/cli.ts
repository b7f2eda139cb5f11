import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiFailure } from '@ucupdates/admin-api';
import type { Api, ApiSettings } from './api-client';
import {
  type Command,
  type CommandContext,
  type CommandInput,
  type Files,
  type Input,
  type OptionSpec,
  type OptionValues,
  type Output,
  printLine,
} from './command';
import { COMMANDS } from './commands';
import { ExitCode, exitCodeForStatus, NoTokenError, UsageError } from './exit-codes';
import { commandHelp, DEFAULT_URL, GLOBAL_OPTIONS, globalHelp, groupHelp, namesOf } from './help';
import { cell } from './table';

/** Everything the CLI touches, passed in so the unit tests can run it without a pool or a terminal. */
export interface CliEnvironment {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  stdin: Input;
  files: Files;
  makeApi(settings: ApiSettings): Api;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Runs one command line; never throws, answers the exit code (docs/cli.md). */
export async function runCli(environment: CliEnvironment, commands: readonly Command[] = COMMANDS): Promise<ExitCode> {
  let command: Command | undefined;
  try {
    const { name, argv: rest } = splitCommand(environment.argv);
    if (name === undefined || name === 'help') {
      const about = rest.filter((arg) => !arg.startsWith('-'));
      if (name === 'help' && about.length > 0) {
        const named = isGroup(commands, about[0]) ? about.slice(0, 2).join(' ') : about[0];
        printLine(environment.stdout, helpAbout(commands, named));
        return ExitCode.Ok;
      }
      if (name === 'help' || rest.includes('--help') || rest.includes('-h')) {
        printLine(environment.stdout, globalHelp(commands));
        return ExitCode.Ok;
      }
      throw new UsageError('give a command');
    }
    const { name: full, argv } = withSubcommand(commands, name, rest);
    if (full === undefined) {
      // A group without its subcommand: `ucupdates devices --help` lists them, else it is a usage error.
      if (rest.includes('--help') || rest.includes('-h')) {
        printLine(environment.stdout, groupHelp(commands, name));
        return ExitCode.Ok;
      }
      throw new UsageError(`"${name}" needs a subcommand: ${subcommandsOf(commands, name).join(', ')}`);
    }
    command = find(commands, full);
    const input = parse(command, argv);
    if (input.options.help === true) {
      printLine(environment.stdout, commandHelp(command));
      return ExitCode.Ok;
    }
    return (await command.run(contextFor(environment, input), input)) ?? ExitCode.Ok;
  } catch (error) {
    return report(environment.stderr, error, command);
  }
}

/**
 * The command's name is the first argument that is not a global flag (or a global flag's value),
 * so `ucupdates --json get-rule` and `ucupdates get-rule --json` both work.
 */
export function splitCommand(argv: string[]): { name: string | undefined; argv: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      break;
    }
    if (!arg.startsWith('-')) {
      return { name: arg.toLowerCase(), argv: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    }
    const global = GLOBAL_OPTIONS[arg.slice(2)];
    if (global?.type === 'string' && !arg.includes('=')) {
      i++;
    }
  }
  return { name: undefined, argv };
}

/**
 * A command named by two words (the aliases `audit requests`, `devices show`) is found as a group and its
 * subcommand: the subcommand is the next word that is not a global flag, so global flags may go
 * between them as anywhere else. `name` is undefined when a group is given without a subcommand.
 */
export function withSubcommand(
  commands: readonly Command[],
  first: string,
  argv: string[],
): { name: string | undefined; argv: string[] } {
  if (!isGroup(commands, first)) {
    return { name: first, argv };
  }
  const sub = splitCommand(argv);
  return { name: sub.name === undefined ? undefined : `${first} ${sub.name}`, argv: sub.argv };
}

function isGroup(commands: readonly Command[], word: string): boolean {
  return subcommandsOf(commands, word).length > 0;
}

/** The second words of the two-word names (aliases, since decision 52) that start with `group`. */
function subcommandsOf(commands: readonly Command[], group: string): string[] {
  const prefix = `${group.toLowerCase()} `;
  return commands.flatMap(namesOf).filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
}

/** `ucupdates help NAME`: a command's help, or a group's list of subcommands. */
function helpAbout(commands: readonly Command[], name: string): string {
  return commands.some((command) => namesOf(command).includes(name.toLowerCase())) || !isGroup(commands, name)
    ? commandHelp(find(commands, name))
    : groupHelp(commands, name);
}

function find(commands: readonly Command[], name: string): Command {
  const command = commands.find((each) => namesOf(each).includes(name.toLowerCase()));
  const [group, sub] = name.split(' ');
  if (!command && sub !== undefined && isGroup(commands, group)) {
    throw new UsageError(`unknown subcommand "${sub}" of "${group}"; it has ${subcommandsOf(commands, group).join(', ')}`);
  }
  if (!command) {
    throw new UsageError(`unknown command "${name}"; "ucupdates --help" lists them`);
  }
  return command;
}

function parseOptions(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
  );
}

/** The command's flags and arguments, checked: an unknown flag or a missing argument is a usage error. */
export function parse(command: Command, argv: string[]): CommandInput {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: parseOptions({ ...GLOBAL_OPTIONS, ...command.options }),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // Node's messages go on about "positional arguments"; the first sentence is what went wrong.
    throw new UsageError((error as Error).message.split(/(?<=\.) /)[0]);
  }
  // No option is `multiple`, so no value is an array.
  const input: CommandInput = { args: parsed.positionals, options: parsed.values as OptionValues };
  if (input.options.help !== true) {
    const { min, max } = command.args;
    if (input.args.length < min) {
      throw new UsageError(`${command.name} needs ${min === max ? '' : 'at least '}${min} argument${min === 1 ? '' : 's'}`);
    }
    if (input.args.length > max) {
      const extra = input.args[max];
      throw new UsageError(max === 0 ? `${command.name} takes no argument (got "${extra}")` : `unexpected argument "${extra}"`);
    }
  }
  return input;
}

function contextFor(environment: CliEnvironment, input: CommandInput): CommandContext {
  let api: Api | undefined;
  const settings = (): ApiSettings => {
    const url = (input.options.url as string | undefined) ?? environment.env.UCU_URL ?? DEFAULT_URL;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new UsageError(`--url: "${url}" is not an http:// or https:// URL`);
    }
    const token = (input.options.token as string | undefined) ?? environment.env.UCU_TOKEN;
    if (!token) {
      throw new NoTokenError('no token: set UCU_TOKEN (or pass --token); an admin makes one with "ucupdates new-token"');
    }
    return {
      baseUrl: url,
      token,
      onUnconfirmed: (nodes) =>
        printLine(
          environment.stderr,
          `ucupdates: warning: the change is made, but ${nodes.join(', ')} had not confirmed serving it within the pool's wait ` +
            '(UCU_CHANGE_CONFIRM_TIMEOUT_MS); phones asking there may see the old state until it reloads',
        ),
    };
  };
  return {
    get api() {
      return (api ??= environment.makeApi(settings()));
    },
    json: input.options.json === true,
    stdout: environment.stdout,
    stderr: environment.stderr,
    stdin: environment.stdin,
    files: environment.files,
    sleep: (ms) => environment.sleep(ms),
    now: () => environment.now(),
  };
}

/** The error on stderr: the API's code and message, or what was wrong with the command line. */
function report(stderr: Output, error: unknown, command: Command | undefined): ExitCode {
  if (error instanceof UsageError) {
    const help = command ? `ucupdates ${command.name} --help` : 'ucupdates --help';
    printLine(stderr, `ucupdates: ${error.message}`);
    if (command) {
      printLine(stderr, `Usage: ucupdates ${command.name}${command.usage ? ` ${command.usage}` : ''}`);
    }
    printLine(stderr, `See "${help}".`);
    return error.exitCode;
  }
  if (error instanceof NoTokenError) {
    printLine(stderr, `ucupdates: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ApiFailure) {
    const status = error.status > 0 ? ` (HTTP ${error.status})` : '';
    printLine(stderr, `ucupdates: ${cell(error.code)}: ${cell(error.message)}${status}`);
    for (const line of detailLines(error.details)) {
      printLine(stderr, `  ${line}`);
    }
    return exitCodeForStatus(error.status);
  }
  // A fault of the CLI itself or of the machine (a file that cannot be read mid-upload).
  printLine(stderr, `ucupdates: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.Refused;
}

/**
 * What the details add to the message. A 400's first issue is the message itself, so only the
 * others are shown; anything else (the role needed, the nodes missing a file) is shown as JSON.
 */
export function detailLines(details: unknown): string[] {
  if (details === null || typeof details !== 'object') {
    return details === null || details === undefined ? [] : [`details: ${cell(details)}`];
  }
  // The field is named by the message already (admin-api.md: a 400 names its field).
  const { field: _field, ...rest }: Record<string, unknown> = { ...details };
  let lines: string[] = [];
  if (Array.isArray(rest.issues)) {
    lines = rest.issues.slice(1).map((issue: { field?: unknown; message?: unknown }) => `also ${cell(issue.field)}: ${cell(issue.message)}`);
    delete rest.issues;
  }
  return Object.keys(rest).length > 0 ? [...lines, `details: ${cell(rest)}`] : lines;
}
