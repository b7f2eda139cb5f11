import { basename } from 'node:path';
import { ApiFailure, type ImportedFileView, type ImportedUpdateView, type ImportView, pathOf, type PurgeView, ROUTES, type UploadView } from '@ucupdates/admin-api';
import {
  type Command,
  type CommandContext,
  idArgument,
  integerOption,
  printJson,
  printLine,
  showList,
  showRecord,
} from '../command';
import { ExitCode, exitCodeForStatus, UsageError } from '../exit-codes';
import { UploadProgress } from '../progress';
import { type Column, cell, formatList, formatTable, ruleKeyColumns } from '../table';

const UPDATE_COLUMNS: Column<ImportedUpdateView>[] = [
  { header: 'RuleId', value: (update) => update.ruleId },
  ...ruleKeyColumns(),
  { header: 'Version', value: (update) => update.version },
];

/** Every file of the import's updates, with every hash the pool keeps (DDI devices are told SHA-1 and MD5). */
const FILE_COLUMNS: Column<ImportedFileView & { version: string }>[] = [
  { header: 'Version', value: (file) => file.version },
  { header: 'File', value: (file) => file.name },
  { header: 'Role', value: (file) => file.role },
  { header: 'Size', value: (file) => file.size },
  { header: 'Sha256', value: (file) => file.sha256 },
  { header: 'Sha1', value: (file) => file.sha1 },
  { header: 'Md5', value: (file) => file.md5 },
];

const IMPORT_COLUMNS: Column<ImportView>[] = [
  { header: 'ImportId', value: (item) => item.importId },
  { header: 'Status', value: (item) => item.status },
  { header: 'FileName', value: (item) => item.fileName },
  { header: 'Updates', value: (item) => item.updates.length },
  { header: 'Error', value: (item) => item.error?.code },
  { header: 'CreatedAt', value: (item) => item.createdAt },
  { header: 'FinishedAt', value: (item) => item.finishedAt },
];

/** `complete`, or `pending (node-1 3/4, node-2 4/4)`: files ready on each active node. */
export function replicationText(replication: ImportView['replication'] | undefined): string {
  if (!replication) {
    return '';
  }
  const nodes = Object.entries(replication.nodes).map(([node, { ready, missing }]) => `${node} ${ready}/${ready + missing}`);
  return nodes.length === 0 || replication.state === 'complete' ? replication.state : `${replication.state} (${nodes.join(', ')})`;
}

function importFields(item: ImportView): [string, unknown][] {
  return [
    ['ImportId', item.importId],
    ['FileName', item.fileName],
    ['Sha256', item.sha256],
    ['Status', item.status],
    ['Error', item.error && `${item.error.code}: ${item.error.message}`],
    ['CreatedAt', item.createdAt],
    ['FinishedAt', item.finishedAt],
    ['Replication', replicationText(item.replication)],
  ];
}

function showImport(context: CommandContext, item: ImportView): void {
  const parts = [formatList(importFields(item))];
  if (item.updates.length > 0) {
    parts.push(formatTable(item.updates, UPDATE_COLUMNS));
    parts.push(formatTable(item.updates.flatMap((update) => update.files.map((file) => ({ ...file, version: update.version }))), FILE_COLUMNS));
  }
  printLine(context.stdout, parts.join('\n\n'));
}

/** The name the pool records for the upload: printable ASCII, no quote to end the header's value. */
export function uploadFileName(path: string): string {
  return basename(path).replace(/[^\x20-\x7e]|"/g, '').trim() || 'UCUpdates.cab';
}

const POLL_INTERVAL_MS = 1_000;
/** Failed polls in a row tolerated: the upload is done, a moment without the pool is not a refusal. */
const POLL_FAILURES_TOLERATED = 5;

/** Asks for the import until it is finished, showing its status as it changes. */
async function waitForImport(context: CommandContext, importId: string, timeoutSeconds: number): Promise<ImportView> {
  const deadline = context.now() + timeoutSeconds * 1000;
  let shown: string | undefined;
  let failures = 0;
  for (;;) {
    let item: ImportView | undefined;
    try {
      item = await context.api.send<ImportView>({ method: 'GET', path: pathOf(ROUTES.import, { importId }) });
      failures = 0;
    } catch (error) {
      if (!(error instanceof ApiFailure) || exitCodeForStatus(error.status) !== ExitCode.ServerError || ++failures > POLL_FAILURES_TOLERATED) {
        throw error;
      }
    }
    if (item && item.status !== 'queued' && item.status !== 'processing') {
      return item;
    }
    if (item && item.status !== shown) {
      shown = item.status;
      printLine(context.stderr, `Import ${importId}: ${item.status}…`);
    }
    if (context.now() >= deadline) {
      throw new ApiFailure(
        0,
        'Timeout',
        `import ${importId} is still ${shown ?? 'unknown'} after ${timeoutSeconds} s; it goes on: follow it with "ucupdates get-import ${importId}"`,
      );
    }
    await context.sleep(POLL_INTERVAL_MS);
  }
}

const GROUP = 'Update packages';
const EXAMPLE_IMPORT = '3c9e1f7a-2b4d-4e6f-8a1c-5d7e9f0b2a4c';

const importUpdate: Command = {
  name: 'import-update',
  group: GROUP,
  summary: 'upload an update package (.cab) and wait for its import',
  usage: 'FILE [--no-wait] [--timeout SECONDS]',
  description:
    "Uploads an update package (Import-CsDeviceUpdate) to any node of the pool, which imports it once and replicates it to every node. Shows the upload's progress on stderr, then waits for the import and lists the rules it touched; their new versions are pending: test devices get them now, approve-rule offers them to every phone. A refused package (a bad signature, an unreadable cabinet, …) prints the refusal's code and message and exits 1. The same bytes uploaded again answer the first import.",
  options: {
    'no-wait': { type: 'boolean', description: "return once the package is uploaded; follow the import with get-import" },
    timeout: { type: 'string', value: 'SECONDS', description: 'how long to wait for the import (default 1800); it goes on after' },
  },
  args: { min: 1, max: 1 },
  examples: ['ucupdates import-update ./UCUpdates.cab', 'ucupdates import-update ./UCUpdates.cab --no-wait --json'],
  async run(context, input) {
    const path = input.args[0];
    const timeoutSeconds = integerOption(input, 'timeout') ?? 1800;
    let size: number;
    try {
      size = context.files.size(path);
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const api = context.api;
    const progress = new UploadProgress(context.stderr, basename(path), size, () => context.now());
    progress.start();
    let uploaded: { status: number; body: UploadView };
    try {
      uploaded = await api.upload<UploadView>(ROUTES.updates, progress.track(context.files.read(path)), {
        'Content-Type': 'application/vnd.ms-cab-compressed',
        'Content-Disposition': `attachment; filename="${uploadFileName(path)}"`,
      });
    } finally {
      progress.finish();
    }
    const { importId } = uploaded.body;
    printLine(
      context.stderr,
      uploaded.status === 200
        ? `These bytes were uploaded before: import ${importId} (${uploaded.body.status}).`
        : `Uploaded: import ${importId} is ${uploaded.body.status}.`,
    );
    if (input.options['no-wait'] === true) {
      showRecord(context, uploaded.body, (body) => [
        ['ImportId', body.importId],
        ['Sha256', body.sha256],
        ['Status', body.status],
      ]);
      return;
    }
    const item = await waitForImport(context, importId, timeoutSeconds);
    if (context.json) {
      printJson(context, item);
    }
    if (item.status === 'failed') {
      const code = item.error?.code ?? 'ImportFailed';
      printLine(context.stderr, `ucupdates: ${cell(code)}: import ${importId} of ${cell(item.fileName)} was refused: ${cell(item.error?.message ?? 'no reason given')}`);
      return ExitCode.Refused;
    }
    if (!context.json) {
      printLine(context.stdout, `Import ${importId} of ${cell(item.fileName)} succeeded; replication: ${replicationText(item.replication)}.`);
      if (item.updates.length === 0) {
        printLine(context.stdout, 'It added no new version.');
      } else {
        printLine(context.stdout, `\n${formatTable(item.updates, UPDATE_COLUMNS)}`);
        printLine(context.stderr, 'The new versions are pending: test devices are offered them now; "ucupdates approve-rule ID" offers one to every phone.');
      }
    }
  },
};

const getImport: Command = {
  name: 'get-import',
  group: GROUP,
  summary: 'list the imports, newest first, or show one',
  usage: '[ID] [--limit N]',
  description:
    "Shows the uploaded packages' imports: queued, processing, succeeded or failed (with the refusal's code and message), the rules each touched and how far its files have replicated.",
  options: { limit: { type: 'string', value: 'N', description: 'only the newest N imports' } },
  args: { min: 0, max: 1 },
  examples: ['ucupdates get-import --limit 10', `ucupdates get-import ${EXAMPLE_IMPORT}`],
  async run(context, input) {
    if (input.args.length === 1) {
      if (input.options.limit !== undefined) {
        throw new UsageError('give an ID or --limit, not both');
      }
      const item = await context.api.send<ImportView>({ method: 'GET', path: pathOf(ROUTES.import, { importId: idArgument(input.args[0], 'import') }) });
      if (context.json) {
        printJson(context, item);
      } else {
        showImport(context, item);
      }
      return;
    }
    const items = await context.api.listAll<ImportView>(ROUTES.imports, {}, integerOption(input, 'limit'));
    showList(context, items, IMPORT_COLUMNS, 'imports');
  },
};

const clearFiles: Command = {
  name: 'clear-files',
  group: GROUP,
  summary: 'delete the files no rule version uses any more',
  usage: '',
  description:
    "Deletes the update files that no rule's approved, pending or restore version uses any more, from the object store and from every node's replica store (Clear-CsDeviceUpdateFile).",
  options: {},
  args: { min: 0, max: 0 },
  examples: ['ucupdates clear-files'],
  async run(context) {
    const result = await context.api.send<PurgeView>({ method: 'POST', path: ROUTES.filesPurge });
    if (context.json) {
      printJson(context, result);
    } else {
      printLine(context.stdout, `Removed ${result.removed} file${result.removed === 1 ? '' : 's'} no rule version uses.`);
    }
  },
};

export const UPDATE_COMMANDS: Command[] = [importUpdate, getImport, clearFiles];
