import type { Api } from './api-client';
import { type ExitCode, UsageError } from './exit-codes';
import { type Column, formatList, formatTable } from './table';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's name in the help: `N` in `--name N`. */
  value?: string;
  short?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandInput {
  /** The positional arguments after the command's name. */
  args: string[];
  options: OptionValues;
}

export interface Output {
  /** false when the output's buffer is full: wait for `drain` (long outputs, such as an export). */
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
}

export interface Input extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** The files a command reads (import-update's package) and writes (an export); node:fs in use, a fake in unit tests. */
export interface Files {
  size(path: string): number;
  read(path: string): AsyncIterable<Uint8Array>;
  /**
   * Writes `chunks` to `path`, which appears only once all were written (a transfer that breaks
   * off leaves no file that looks complete); answers the bytes written.
   */
  write(path: string, chunks: AsyncIterable<Uint8Array>): Promise<number>;
}

export interface CommandContext {
  /** Made on first use: a command that fails on its arguments needs no token to say so. */
  readonly api: Api;
  /** `--json`: the API's JSON on stdout instead of tables. */
  readonly json: boolean;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: Input;
  readonly files: Files;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface Command {
  /** Lync's cmdlet name without `Cs`/`DeviceUpdate` (`get-rule` for Get-CsDeviceUpdateRule), or one in that form. */
  name: string;
  /** Older names that still work; help prints them as aliases of `name` (docs/cli.md). */
  aliases?: string[];
  /** Where the global help lists it. */
  group: string;
  summary: string;
  /** What follows the name in the usage line: `ID [--force]`. */
  usage: string;
  /** For `--help`: what it does and the Lync cmdlet it re-creates. */
  description: string;
  options: Record<string, OptionSpec>;
  args: { min: number; max: number };
  examples: string[];
  run(context: CommandContext, input: CommandInput): Promise<ExitCode | void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id the API takes (a UUID), checked here so a typo is a usage error, not a round trip. */
export function idArgument(value: string | undefined, what: string): string {
  if (value === undefined || !UUID.test(value)) {
    throw new UsageError(`${value === undefined ? 'no' : `"${value}" is not a`} ${what} id: ids are UUIDs such as 6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f`);
  }
  return value.toLowerCase();
}

/** A Get- command shows one item by its ID or lists them by filters: both at once is a usage error. */
export function refuseFiltersWithId(input: CommandInput, filters: string[]): void {
  const given = filters.filter((flag) => input.options[flag] !== undefined);
  if (input.args.length > 0 && given.length > 0) {
    throw new UsageError(`give an ID or filters (--${given[0]}), not both`);
  }
}

export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A whole number of at least `min`. */
export function integerOption(input: CommandInput, name: string, min = 1): number | undefined {
  const text = stringOption(input, name);
  if (text === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(`--${name}: "${text}" is not a whole number of at least ${min}`);
  }
  return Number(text);
}

export function printLine(output: Output, text: string): void {
  output.write(`${text}\n`);
}

export function printJson(context: CommandContext, value: unknown): void {
  printLine(context.stdout, JSON.stringify(value, null, 2));
}

/** A list: a table, or with `--json` every item as one JSON array (all pages already followed). */
export function showList<T>(context: CommandContext, items: T[], columns: Column<T>[], noun: string): void {
  if (context.json) {
    printJson(context, items);
  } else if (items.length === 0) {
    // stderr: an empty stdout is what a script piping the table expects for "none".
    printLine(context.stderr, `No ${noun}.`);
  } else {
    printLine(context.stdout, formatTable(items, columns));
  }
}

/** One object: a `Name : value` list, or with `--json` the API's object. */
export function showRecord<T>(context: CommandContext, item: T, fields: (item: T) => [string, unknown][]): void {
  if (context.json) {
    printJson(context, item);
  } else {
    printLine(context.stdout, formatList(fields(item)));
  }
}

/** What a change without an answer body (204) prints: nothing with `--json`, the exit code says it. */
export function showDone(context: CommandContext, text: string): void {
  if (!context.json) {
    printLine(context.stdout, text);
  }
}
