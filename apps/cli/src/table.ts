import type { RuleKey } from '@ucupdates/admin-api';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** The rule key's fields under Lync's names, in Lync's order (Get-CsDeviceUpdateRule). */
const RULE_KEY_HEADERS: readonly (readonly [keyof RuleKey, string])[] = [
  ['deviceType', 'DeviceType'],
  ['brand', 'Brand'],
  ['model', 'Model'],
  ['revision', 'Revision'],
  ['locale', 'Locale'],
  ['updateType', 'UpdateType'],
];

type KeyFields = readonly (keyof RuleKey)[];
const ALL_KEY_FIELDS: KeyFields = RULE_KEY_HEADERS.map(([field]) => field);
const keyHeaders = (fields: KeyFields) => RULE_KEY_HEADERS.filter(([field]) => fields.includes(field));

/** A table's rule-key columns: all six, or those of `fields` (a device has no update type). */
export function ruleKeyColumns(fields = ALL_KEY_FIELDS): Column<Partial<RuleKey>>[] {
  return keyHeaders(fields).map(([field, header]) => ({ header, value: (row) => row[field] }));
}

/** A record's rule-key lines, as ruleKeyColumns picks them. */
export function ruleKeyLines(row: Partial<RuleKey>, fields = ALL_KEY_FIELDS): [string, unknown][] {
  return keyHeaders(fields).map(([field, header]) => [header, row[field]]);
}

/**
 * One cell's text. Values come from the pool, and some from uploaded packages (a model, a file
 * name): control characters are replaced so none can move the cursor or recolour the terminal,
 * and a line break cannot break a table's alignment.
 */
export function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) {
    text = '';
  } else if (Array.isArray(value)) {
    text = value.map(cell).join(', ');
  } else if (typeof value === 'object') {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * PowerShell's Format-Table, as a Lync administrator reads it: headers, a dashed rule under each,
 * columns as wide as their widest value, one space between them.
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i].length)));
  const line = (texts: string[]) =>
    texts
      .map((text, i) => text.padEnd(widths[i]))
      .join(' ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    line(columns.map((column) => '-'.repeat(column.header.length))),
    ...cells.map(line),
  ].join('\n');
}

/** PowerShell's Format-List: one `Name : value` line per property, the colons aligned. */
export function formatList(entries: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(0, ...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `${name.padEnd(width)} : ${cell(value)}`.trimEnd()).join('\n');
}
