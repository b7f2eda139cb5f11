import { createHash } from 'node:crypto';
import { ApiFailure, DEFAULT_CONFIGURATION, type FailureCode } from '@ucupdates/admin-api';
import type { Api, ApiRequest, ApiSettings, Query } from './api-client';
import { type CliEnvironment, detailLines, runCli, splitCommand } from './cli';
import { ExitCode } from './exit-codes';
import { CX600_CPE, CX600_DEVICE } from '../../../test/support/rule-fixtures';
import { bufferSource, CabReader } from '../../../libs/cab/src';
import { bufferEntry, writeCpio } from '../../../libs/swu/src/cpio-writer';
import { bufferSource as swuSource, readSwuHead, verifySwuSignature } from '../../../libs/swu/src';
import { Profile, TestPki } from '../../../test/support/test-pki';
import { TrustStore } from '../../../libs/catalog/src/trust-store';

type Call =
  | { kind: 'send'; request: ApiRequest }
  | { kind: 'list'; path: string; query: Query; max?: number }
  | { kind: 'upload'; path: string; headers: Record<string, string>; bytes: number }
  | { kind: 'download'; path: string; query: Query };

const RULE_ID = '6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f';
const DEVICE_ID = '0b8d7c6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e';
const IMPORT_ID = '3c9e1f7a-2b4d-4e6f-8a1c-5d7e9f0b2a4c';

const rule = {
  id: RULE_ID,
  identity: `service:WebServer:pool.contoso.com/${RULE_ID}`,
  ...CX600_CPE,
  approvedVersion: null,
  pendingVersion: '4.0.7577.4372',
  restoreVersion: null,
  approvedAt: null,
  pendingAt: '2024-05-01T10:00:00.000Z',
  replication: { pending: 'complete', approved: null },
};

interface Options {
  env?: Record<string, string | undefined>;
  stdin?: string[];
  files?: Record<string, Buffer>;
  /** What writing a file fails with. */
  writeError?: Error;
}

/** The CLI against a recorder in place of the pool: what it would send, and what it prints. */
async function run(argv: string[], answer: (call: Call) => unknown = () => undefined, options: Options = {}) {
  const calls: Call[] = [];
  const settings: ApiSettings[] = [];
  let stdout = '';
  let stderr = '';
  let clock = 0;
  const reply = async (call: Call) => {
    calls.push(call);
    return answer(call);
  };
  const api: Api = {
    send: async <T>(request: ApiRequest) => (await reply({ kind: 'send', request })) as T,
    listAll: async <T>(path: string, query: Query = {}, max?: number) =>
      (await reply({ kind: 'list', path, query: definedOnly(query), ...(max === undefined ? {} : { max }) })) as T[],
    upload: async <T>(path: string, body: AsyncIterable<Uint8Array>, headers: Record<string, string>) => {
      let bytes = 0;
      for await (const chunk of body) {
        bytes += chunk.byteLength;
      }
      return (await reply({ kind: 'upload', path, headers, bytes })) as { status: number; body: T };
    },
    // The answer is the file's chunks, as text.
    download: async (path: string, query: Query = {}) => {
      const chunks = (await reply({ kind: 'download', path, query: definedOnly(query) })) as string[];
      return (async function* () {
        for (const chunk of chunks) {
          yield new Uint8Array(Buffer.from(chunk));
        }
      })();
    },
  };
  const written: Record<string, string> = {};
  const writtenBytes: Record<string, Buffer> = {};
  const files = options.files ?? {};
  const environment: CliEnvironment = {
    argv,
    env: options.env ?? { UCU_TOKEN: 'ucu_token_for_tests', UCU_URL: 'http://127.0.0.1:38080' },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Object.assign(
      (async function* () {
        yield* (options.stdin ?? []).map((text) => Buffer.from(text));
      })(),
      { isTTY: false },
    ),
    files: {
      size(path) {
        if (!files[path]) {
          throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        }
        return files[path].length;
      },
      async *read(path) {
        yield new Uint8Array(files[path]);
      },
      async write(path, chunks) {
        if (options.writeError) {
          throw options.writeError;
        }
        const parts: Buffer[] = [];
        for await (const chunk of chunks) {
          parts.push(Buffer.from(chunk));
        }
        written[path] = Buffer.concat(parts).toString('utf8');
        writtenBytes[path] = Buffer.concat(parts);
        return Buffer.concat(parts).length;
      },
    },
    makeApi(given) {
      settings.push(given);
      return api;
    },
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
  const code = await runCli(environment);
  return { code, stdout, stderr, calls, settings, written, writtenBytes };
}

function definedOnly(query: Query): Query {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
}

const sent = (calls: Call[]) => calls.map((call) => (call.kind === 'send' ? call.request : call));

function refuse(status: number, code: FailureCode, message: string): never {
  throw new ApiFailure(status, code, message);
}

describe('splitCommand', () => {
  it.each([
    [['get-rule', '--json'], 'get-rule', ['--json']],
    [['--json', 'get-rule'], 'get-rule', ['--json']],
    [['--url', 'http://x', 'get-node'], 'get-node', ['--url', 'http://x']],
    [['--url=http://x', 'Get-Node'], 'get-node', ['--url=http://x']],
    [['--help'], undefined, ['--help']],
  ])('finds the command in %j', (argv, name, rest) => {
    expect(splitCommand(argv)).toEqual({ name, argv: rest });
  });
});

describe('help', () => {
  it('lists every command with --help, exit 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(ExitCode.Ok);
    for (const name of ['import-update', 'get-rule', 'approve-rule', 'new-test-device', 'set-config', 'get-admin-audit', 'new-phone-user']) {
      expect(stdout).toContain(`  ${name} `);
    }
    expect(stdout).toContain('Exit codes:');
  });

  it.each([[['approve-rule', '--help']], [['help', 'approve-rule']], [['approve-rule', 'not-an-id', '-h']]])(
    'shows a command\'s usage, options and examples for %j',
    async (argv) => {
      const { code, stdout, calls } = await run(argv);
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toContain('Usage: ucupdates approve-rule ID [--force]');
      expect(stdout).toContain('--force');
      expect(stdout).toContain('Examples:');
      expect(calls).toEqual([]);
    },
  );

  it('is a usage error without a command, or with an unknown one', async () => {
    expect((await run([])).code).toBe(ExitCode.Usage);
    const unknown = await run(['approve-everything']);
    expect([unknown.code, unknown.stderr]).toEqual([ExitCode.Usage, expect.stringContaining('unknown command "approve-everything"')]);
  });
});

describe('usage errors (exit 2, nothing sent)', () => {
  it.each([
    [['get-rule', '--colour', 'red'], "Unknown option '--colour'"],
    [['approve-rule'], 'approve-rule needs 1 argument'],
    [['approve-rule', 'not-an-id'], '"not-an-id" is not a rule id'],
    [['remove-node', 'node/4'], '"node/4" is not a node id'],
    [['approve-rule', RULE_ID, RULE_ID], `unexpected argument "${RULE_ID}"`],
    [['get-node', 'extra'], 'get-node takes no argument'],
    [['get-rule', RULE_ID, '--brand', 'x'], 'give an ID or filters'],
    [['new-test-device', '--name', 'lab'], 'give --mac-address, --serial-number or --controller-id'],
    [['new-test-device', '--name', 'lab', '--mac-address', '00-04-F2-12-34-56', '--serial-number', 'SN1'], 'give only one of --mac-address, --serial-number'],
    [['new-test-device', '--name', 'lab', '--serial-number', 'SN1', '--controller-id', 'gw-1'], 'give only one of --serial-number, --controller-id'],
    [['set-test-device', DEVICE_ID], 'nothing to change'],
    [['set-config', 'global', '--max-log-file-size', '10k'], '--max-log-file-size: "10k" is not a whole number'],
    [['set-config'], 'set-config needs 1 argument'],
    [['get-admin-audit', '--since', 'yesterday'], '--since: "yesterday" is not a date'],
    [['new-token', '--name', 'x', '--role', 'root'], '--role must be one of admin, operator, viewer'],
    [['new-phone-user', '--user-id', 'sip:alice@contoso.com'], '--password-stdin is required'],
    [['import-update', '/nowhere/UCUpdates.cab'], 'cannot read /nowhere/UCUpdates.cab: ENOENT'],
    [['get-node', '--url', 'ftp://pool'], '"ftp://pool" is not an http:// or https:// URL'],
  ])('%j: %s', async (argv, message) => {
    const { code, stderr, calls } = await run(argv);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain(message);
    expect(stderr).toContain('--help');
    expect(calls).toEqual([]);
  });
});

describe('authentication', () => {
  it('exits 3 without a token, before sending anything', async () => {
    const { code, stderr, settings } = await run(['get-rule'], undefined, { env: {} });
    expect(code).toBe(ExitCode.NotAuthorised);
    expect(stderr).toContain('no token: set UCU_TOKEN');
    expect(settings).toEqual([]);
  });

  it('takes --url and --token over the environment, and defaults the URL to the local pool', async () => {
    const flags = await run(['get-node', '--url', 'https://pool:8443', '--token', 'flag-token'], () => []);
    expect(flags.settings).toEqual([{ baseUrl: 'https://pool:8443', token: 'flag-token', onUnconfirmed: expect.any(Function) }]);
    const defaults = await run(['get-node'], () => [], { env: { UCU_TOKEN: 'env-token' } });
    expect(defaults.settings).toEqual([{ baseUrl: 'http://127.0.0.1:8080', token: 'env-token', onUnconfirmed: expect.any(Function) }]);
  });

  it("exits 3 on the API's 403, printing its code and message", async () => {
    const { code, stderr } = await run(['approve-rule', RULE_ID], () => refuse(403, 'Forbidden', 'this needs the operator role; the token has viewer'));
    expect(code).toBe(ExitCode.NotAuthorised);
    expect(stderr).toBe('ucupdates: Forbidden: this needs the operator role; the token has viewer (HTTP 403)\n');
  });
});

describe('rules', () => {
  it('lists rules with the filters given (wildcards as typed) as a table', async () => {
    const { code, stdout, calls } = await run(['get-rule', '--brand', 'Polycom', '--model', 'CX*', '--update-type', 'CPE'], () => [rule]);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'list', path: '/api/v1/rules', query: { brand: 'Polycom', model: 'CX*', updateType: 'CPE' } }]);
    const [header, rule_, row] = stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual([
      'Id',
      'DeviceType',
      'Brand',
      'Model',
      'Revision',
      'Locale',
      'UpdateType',
      'ApprovedVersion',
      'PendingVersion',
      'RestoreVersion',
    ]);
    expect(rule_).toMatch(/^-- +----------/);
    expect(row.split(/\s+/)).toEqual([RULE_ID, 'UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE', '4.0.7577.4372']);
  });

  it('prints every rule as one JSON array with --json, and "no rules" on stderr for none', async () => {
    const json = await run(['--json', 'get-rule'], () => [rule, rule]);
    expect(JSON.parse(json.stdout)).toEqual([rule, rule]);
    const none = await run(['get-rule'], () => []);
    expect([none.stdout, none.stderr]).toEqual(['', 'No rules match.\n']);
  });

  it('shows one rule by its id or its Lync identity', async () => {
    const { stdout, calls } = await run(['get-rule', rule.identity], () => rule);
    expect(sent(calls)).toEqual([{ method: 'GET', path: `/api/v1/rules/${RULE_ID}` }]);
    expect(stdout).toContain(`Identity            : service:WebServer:pool.contoso.com/${RULE_ID}`);
    expect(stdout).toContain('PendingVersion      : 4.0.7577.4372');
  });

  it.each([
    [['approve-rule', RULE_ID], { method: 'POST', path: `/api/v1/rules/${RULE_ID}/approve`, query: { force: undefined } }],
    [['approve-rule', RULE_ID, '--force'], { method: 'POST', path: `/api/v1/rules/${RULE_ID}/approve`, query: { force: 'true' } }],
    [['reset-rule', RULE_ID.toUpperCase()], { method: 'POST', path: `/api/v1/rules/${RULE_ID}/reset`, query: {} }],
    [['restore-rule', RULE_ID], { method: 'POST', path: `/api/v1/rules/${RULE_ID}/restore`, query: {} }],
  ])('%j sends %j and shows the rule as it now is', async (argv, request) => {
    const { code, stdout, calls } = await run(argv, () => ({ ...rule, approvedVersion: '4.0.7577.4372', pendingVersion: null }));
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([request]);
    expect(stdout).toContain('ApprovedVersion     : 4.0.7577.4372');
  });

  it('exits 5 with the refusal when nothing is pending, and 4 for an unknown rule', async () => {
    const conflict = await run(['approve-rule', RULE_ID], () => refuse(409, 'NoPendingVersion', 'The rule has no pending version to approve.'));
    expect([conflict.code, conflict.stderr]).toEqual([
      ExitCode.Conflict,
      'ucupdates: NoPendingVersion: The rule has no pending version to approve. (HTTP 409)\n',
    ]);
    const missing = await run(['remove-rule', RULE_ID], () => refuse(404, 'NotFound', `no rule ${RULE_ID}`));
    expect(missing.code).toBe(ExitCode.NotFound);
  });

  it('removes a rule; --json prints nothing, the exit code says it', async () => {
    const { stdout, calls } = await run(['remove-rule', RULE_ID]);
    expect(sent(calls)).toEqual([{ method: 'DELETE', path: `/api/v1/rules/${RULE_ID}` }]);
    expect(stdout).toBe(`Removed rule ${RULE_ID}.\n`);
    expect((await run(['remove-rule', RULE_ID, '--json'])).stdout).toBe('');
  });
});

describe('test devices', () => {
  const device = { id: DEVICE_ID, scope: 'global', name: 'Lab CX600', identifierType: 'MACAddress', identifier: '00-04-F2-12-34-56' };

  it.each([
    [
      ['new-test-device', '--name', 'Lab CX600', '--mac-address', '0004f2123456'],
      { method: 'POST', path: '/api/v1/test-devices', body: { scope: 'global', name: 'Lab CX600', identifierType: 'MACAddress', identifier: '0004f2123456' } },
    ],
    [
      ['new-test-device', '--name', 'Desk', '--serial-number', 'SN1', '--scope', 'site:Redmond'],
      { method: 'POST', path: '/api/v1/test-devices', body: { scope: 'site:Redmond', name: 'Desk', identifierType: 'SerialNumber', identifier: 'SN1' } },
    ],
    [
      ['new-test-device', '--name', 'Lab gateway', '--controller-id', 'gw-0001'],
      { method: 'POST', path: '/api/v1/test-devices', body: { scope: 'global', name: 'Lab gateway', identifierType: 'ControllerId', identifier: 'gw-0001' } },
    ],
    [
      ['set-test-device', DEVICE_ID, '--serial-number', 'SN2'],
      { method: 'PATCH', path: `/api/v1/test-devices/${DEVICE_ID}`, body: { identifierType: 'SerialNumber', identifier: 'SN2' } },
    ],
    [
      ['set-test-device', DEVICE_ID, '--name', 'New', '--scope', 'global'],
      { method: 'PATCH', path: `/api/v1/test-devices/${DEVICE_ID}`, body: { name: 'New', scope: 'global' } },
    ],
    [['get-test-device', DEVICE_ID], { method: 'GET', path: `/api/v1/test-devices/${DEVICE_ID}` }],
    [['remove-test-device', DEVICE_ID], { method: 'DELETE', path: `/api/v1/test-devices/${DEVICE_ID}` }],
  ])('%j sends %j', async (argv, request) => {
    const { code, calls } = await run(argv, () => device);
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([request]);
  });

  it('lists the devices of a scope as a table', async () => {
    const { stdout, calls } = await run(['get-test-device', '--scope', 'global'], () => [device]);
    expect(calls).toEqual([{ kind: 'list', path: '/api/v1/test-devices', query: { scope: 'global' } }]);
    expect(stdout.split('\n')[0].split(/\s+/)).toEqual(['Id', 'Scope', 'Name', 'IdentifierType', 'Identifier']);
    expect(stdout).toContain('Lab CX600');
  });

  it("prints the API's refusal naming the field (exit 1), and a duplicate name (exit 5)", async () => {
    const invalid = await run(['new-test-device', '--name', 'x', '--mac-address', '01-02-03-04-05'], () =>
      refuse(400, 'BadRequest', 'identifier: is not a valid MAC address'),
    );
    expect([invalid.code, invalid.stderr]).toEqual([ExitCode.Refused, 'ucupdates: BadRequest: identifier: is not a valid MAC address (HTTP 400)\n']);
    const duplicate = await run(['new-test-device', '--name', 'x', '--serial-number', 'S'], () => refuse(409, 'DuplicateName', 'exists'));
    expect(duplicate.code).toBe(ExitCode.Conflict);
  });
});

describe('configuration', () => {
  const configuration = { scope: 'global', ...DEFAULT_CONFIGURATION, validLogFileExtensions: ['.dmp', '.txt'] };

  it('sets the properties given, in the API names and types', async () => {
    const { code, calls, stdout } = await run(
      [
        'set-config',
        'site:Redmond',
        '--log-clean-up-interval',
        '30.00:00:00',
        '--log-flush-interval',
        '00:10:00',
        '--max-log-cache-limit',
        '1000',
        '--max-log-file-size',
        '2048000',
        '--log-clean-up-time-of-day',
        'none',
        '--valid-log-file-types',
        'Watson, CELog',
        '--valid-log-file-extensions',
        '.dmp,.txt,',
        '--ddi-polling-interval',
        '00:01:00',
      ],
      () => configuration,
    );
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([
      {
        method: 'PUT',
        path: '/api/v1/configuration/site%3ARedmond',
        body: {
          logCleanUpInterval: '30.00:00:00',
          logFlushInterval: '00:10:00',
          maxLogCacheLimit: 1000,
          maxLogFileSize: 2048000,
          logCleanUpTimeOfDay: null,
          validLogFileTypes: ['Watson', 'CELog'],
          validLogFileExtensions: ['.dmp', '.txt'],
          ddiPollingInterval: '00:01:00',
        },
      },
    ]);
    expect(stdout).toContain('ValidLogFileExtensions : .dmp, .txt');
    expect(stdout).toContain('DdiPollingInterval     : 00:05:00');
  });

  it('sends only what is given', async () => {
    const { calls } = await run(['set-config', 'global', '--log-clean-up-time-of-day', '04:30'], () => configuration);
    expect(sent(calls)).toEqual([{ method: 'PUT', path: '/api/v1/configuration/global', body: { logCleanUpTimeOfDay: '04:30' } }]);
  });

  it.each([
    [['get-config'], { kind: 'list', path: '/api/v1/configuration', query: {} }],
    [['get-config', 'effective'], { method: 'GET', path: '/api/v1/configuration/effective' }],
    [['get-config', 'site:Redmond'], { method: 'GET', path: '/api/v1/configuration/site%3ARedmond' }],
    [['remove-config', 'site:Redmond'], { method: 'DELETE', path: '/api/v1/configuration/site%3ARedmond' }],
  ])('%j sends %j', async (argv, request) => {
    const { calls } = await run(argv, (call) => (call.kind === 'list' ? [configuration] : configuration));
    expect(sent(calls)).toEqual([request]);
  });

  it('shows each scope as a block of Name : value lines', async () => {
    const { stdout } = await run(['get-config'], () => [configuration, { ...configuration, scope: 'site:Redmond' }]);
    expect(stdout).toContain('Identity               : global\n');
    expect(stdout).toContain('\n\nIdentity               : site:Redmond\n');
    expect(stdout).toContain('LogCleanUpInterval     : 10.00:00:00');
  });
});

describe('pool, audit, tokens and phone users', () => {
  it('clears files', async () => {
    const { stdout, calls } = await run(['clear-files'], () => ({ removed: 3 }));
    expect(sent(calls)).toEqual([{ method: 'POST', path: '/api/v1/files/purge' }]);
    expect(stdout).toBe('Removed 3 files no rule version uses.\n');
  });

  it('asks for the audit with its filters, a bare date as the start of that day in UTC', async () => {
    const change = {
      at: '2024-05-01T10:00:00.000Z',
      actor: 'bootstrap',
      role: 'admin',
      action: 'rule.approve',
      target: `rule/${RULE_ID}`,
      subject: 'UCPhone/Polycom/CX600/A/ENU/CPE',
      before: {},
      after: {},
      nodeId: 'node-1',
    };
    const older = { ...change, action: 'rule.reset', subject: null };
    const { stdout, calls } = await run(
      ['get-audit', '--since', '2024-05-01', '--until', '2024-05-02T12:00:00+02:00', '--action', 'rule.approve', '--subject', 'UCPhone/Polycom/CX600/A/ENU/CPE', '--limit', '5'],
      () => [change, older],
    );
    expect(calls).toEqual([
      {
        kind: 'list',
        path: '/api/v1/audit/admin',
        query: { since: '2024-05-01T00:00:00Z', until: '2024-05-02T12:00:00+02:00', action: 'rule.approve', subject: 'UCPhone/Polycom/CX600/A/ENU/CPE' },
        max: 5,
      },
    ]);
    expect(stdout.split('\n')[0].split(/\s+/)).toEqual(['At', 'Actor', 'Role', 'Action', 'Subject', 'Target', 'NodeId']);
    expect(stdout).toMatch(new RegExp(`rule\\.approve +UCPhone/Polycom/CX600/A/ENU/CPE +rule/${RULE_ID} +node-1`));
    // A row from before subjects were kept, that could not be named: its target stands in.
    expect(stdout).toMatch(new RegExp(`rule\\.reset +rule/${RULE_ID} +rule/${RULE_ID} +node-1`));
  });

  it('makes a token and shows it once, with a warning on stderr', async () => {
    const { stdout, stderr, calls } = await run(['new-token', '--name', 'helpdesk', '--role', 'viewer'], () => ({
      id: DEVICE_ID,
      name: 'helpdesk',
      role: 'viewer',
      token: 'ucu_abc',
    }));
    expect(sent(calls)).toEqual([{ method: 'POST', path: '/api/v1/tokens', body: { name: 'helpdesk', role: 'viewer' } }]);
    expect(stdout).toContain('Token : ucu_abc');
    expect(stderr).toContain('not shown again');
  });

  it.each([
    [['get-token'], { kind: 'list', path: '/api/v1/tokens', query: {} }],
    [['remove-token', DEVICE_ID], { method: 'DELETE', path: `/api/v1/tokens/${DEVICE_ID}` }],
    [['get-phone-user'], { kind: 'list', path: '/api/v1/phone-users', query: {} }],
    [['remove-phone-user', DEVICE_ID], { method: 'DELETE', path: `/api/v1/phone-users/${DEVICE_ID}` }],
    [['get-node'], { kind: 'list', path: '/api/v1/nodes', query: {} }],
    [['remove-node', 'node-4'], { method: 'DELETE', path: '/api/v1/nodes/node-4', query: { force: undefined } }],
    [['remove-node', 'ucupdates-4', '--force'], { method: 'DELETE', path: '/api/v1/nodes/ucupdates-4', query: { force: 'true' } }],
    [['get-import', '--limit', '10'], { kind: 'list', path: '/api/v1/imports', query: {}, max: 10 }],
  ])('%j sends %j', async (argv, request) => {
    const { code, calls } = await run(argv, (call) => (call.kind === 'list' ? [] : undefined));
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([request]);
  });

  it('reads a phone user\'s password from stdin, less the final line break', async () => {
    const { code, calls } = await run(['new-phone-user', '--user-id', 'sip:alice@contoso.com', '--password-stdin'], () => ({ id: DEVICE_ID, userId: 'sip:alice@contoso.com', createdAt: 'now' }), {
      stdin: ['pa55', 'word\n'],
    });
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([{ method: 'POST', path: '/api/v1/phone-users', body: { userId: 'sip:alice@contoso.com', password: 'pa55word' } }]);
  });

  it('lists the nodes as a table', async () => {
    const node = { id: 'node-1', url: 'http://10.0.0.1:8000', status: 'active', lastHeartbeatAt: 'now', worker: { status: 'active' }, appVersion: '0.1.0', replicas: { ready: 4, missing: 1 }, scrub: { passCompletedAt: 'then', mismatches: 2 } };
    const { stdout } = await run(['get-node'], () => [node]);
    expect(stdout.split('\n')[2].split(/\s+/)).toEqual(['node-1', 'active', 'active', 'http://10.0.0.1:8000', 'now', '0.1.0', '4', '1', 'then', '2']);
  });
});

describe('DDI devices', () => {
  const target = {
    controllerId: 'gw-0001',
    attributes: { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' },
    registeredBy: 'bootstrap',
    tokenIssuedAt: '2024-05-01T10:00:00.000Z',
    createdAt: '2024-05-01T10:00:00.000Z',
    installed: [{ updateType: 'os', version: '2.4.0' }],
    lastSeenAt: '2024-05-02T08:00:05.000Z',
    lastPoll: { at: '2024-05-02T08:00:00.000Z', nodeId: 'node-2', address: '10.0.0.7' },
    openAction: { id: '1042', updateType: 'os', version: '2.4.1', status: 'open', createdAt: '2024-05-02T08:00:00.000Z' },
  };
  const results = [
    { actionId: '1041', updateType: 'os', version: '2.4.0', status: 'succeeded', execution: 'closed', finished: 'success', details: [], time: null, at: '2024-05-01T11:00:00.000Z' },
    { actionId: '1040', updateType: 'os', version: '2.3.9', status: 'failed', execution: 'closed', finished: 'failure', details: ['bad sha1'], time: null, at: '2024-04-30T11:00:00.000Z' },
  ];

  it('registers a device with its attributes and shows its token once, with a warning on stderr', async () => {
    const { stdout, stderr, calls } = await run(
      ['new-ddi-target', 'gw-0001', '--vendor', 'Contoso', '--model', 'Gateway-1', '--hw-revision', '1.0', '--locale', 'ENU'],
      () => ({ ...target, token: 'ucu_ddi' }),
    );
    expect(sent(calls)).toEqual([
      {
        method: 'POST',
        path: '/api/v1/ddi/targets',
        body: { controllerId: 'gw-0001', attributes: { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0', locale: 'ENU' } },
      },
    ]);
    expect(stdout).toMatch(/Token +: ucu_ddi/);
    expect(stdout).toMatch(/Attribute vendor +: Contoso/);
    expect(stderr).toContain('not shown again');
  });

  it.each([
    [['get-ddi-target', '--vendor', 'contoso'], { kind: 'list', path: '/api/v1/ddi/targets', query: { vendor: 'contoso' } }],
    [
      ['get-ddi-target', '--installed-version', '2.4.0', '--seen-since', '2024-05-01'],
      { kind: 'list', path: '/api/v1/ddi/targets', query: { installedVersion: '2.4.0', seenSince: '2024-05-01T00:00:00Z' } },
    ],
    [['get-ddi-target', 'gw:0001'], { method: 'GET', path: '/api/v1/ddi/targets/gw%3A0001' }],
    [['new-ddi-target-token', 'gw-0001'], { method: 'POST', path: '/api/v1/ddi/targets/gw-0001/token' }],
    [['remove-ddi-target', 'gw-0001'], { method: 'DELETE', path: '/api/v1/ddi/targets/gw-0001' }],
  ])('%j sends %j', async (argv, request) => {
    const { code, calls } = await run(argv, (call) => (call.kind === 'list' ? [target] : { ...target, results, token: 'ucu_ddi' }));
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([request]);
  });

  it.each([
    [['new-ddi-target', 'gw-0001', '--vendor', 'Contoso'], '--model, --hw-revision are required'],
    [['get-ddi-target', 'gw-0001', '--model', 'x'], 'give a controller id or filters, not both'],
    [['get-ddi-target', 'gw-0001', '--installed-version', '2.4.0'], 'give a controller id or filters, not both'],
    [['new-ddi-target-token'], 'new-ddi-target-token needs 1 argument'],
  ])('%j is a usage error: %s', async (argv, message) => {
    const { code, stderr, calls } = await run(argv);
    expect([code, calls]).toEqual([ExitCode.Usage, []]);
    expect(stderr).toContain(message);
  });

  it('lists the devices as a table', async () => {
    const { stdout } = await run(['get-ddi-target'], () => [target]);
    const [header, , row] = stdout.split('\n');
    expect(header.split(/\s+/)).toEqual(['ControllerId', 'Vendor', 'Model', 'HwRevision', 'Locale', 'Installed', 'OpenAction', 'LastPollAt', 'RegisteredBy']);
    expect(row).toMatch(/^gw-0001 +Contoso +Gateway-1 +1\.0 +os 2\.4\.0 +1042 2\.4\.1 open +2024-05-02T08:00:00\.000Z +bootstrap$/);
  });

  it("shows one device with its installed version, last poll, open action and last results; its actions by get-ddi-action", async () => {
    const { stdout } = await run(['get-ddi-target', 'gw-0001'], () => ({ ...target, results }));
    expect(stdout).toMatch(/^Installed +: os 2\.4\.0$/m);
    expect(stdout).toMatch(/^LastPoll +: 2024-05-02T08:00:00\.000Z node-2 10\.0\.0\.7$/m);
    expect(stdout).toMatch(/^LastSeenAt +: 2024-05-02T08:00:05\.000Z$/m);
    expect(stdout).toMatch(/^OpenAction +: 1042 os 2\.4\.1 \(open\)$/m);
    expect(stdout).toMatch(/^Results +: 1041 os 2\.4\.0 closed\/success at 2024-05-01T11:00:00\.000Z \(succeeded\)\n +: 1040 os 2\.3\.9 closed\/failure at 2024-04-30T11:00:00\.000Z \(failed\)$/m);
    const never = await run(['get-ddi-target', 'gw-0002'], () => ({ ...target, installed: [], lastPoll: null, lastSeenAt: null, openAction: null, results: [] }));
    expect(never.stdout).toMatch(/^LastPoll +:$/m);
    expect(never.stdout).toMatch(/^Results +:$/m);
    const actions = await run(['get-ddi-action', '--controller-id', 'gw-0001'], () => []);
    expect(actions.calls).toEqual([{ kind: 'list', path: '/api/v1/ddi/actions', query: { controllerId: 'gw-0001' } }]);
  });
});

describe('import-update', () => {
  const cab = Buffer.alloc(3000, 7);
  const files = { '/packages/UCUpdates.cab': cab };
  const image = { name: 'CPE.nbt', role: 'image', size: 3000, sha256: 'cd'.repeat(32), sha1: 'ef'.repeat(20), md5: '01'.repeat(16) };
  const update = { ruleId: RULE_ID, ...CX600_CPE, version: '4.0.7577.4372', files: [image] };
  const finished = {
    importId: IMPORT_ID,
    sha256: 'ab'.repeat(32),
    fileName: 'UCUpdates.cab',
    status: 'succeeded',
    error: null,
    updates: [update],
    replication: { state: 'pending', nodes: { 'node-1': { ready: 2, missing: 1 } } },
    createdAt: 'then',
    finishedAt: 'now',
  };

  /** The upload answers 202; the import is queued, then processing, then `last`. */
  function pool(last: object) {
    const states = ['queued', 'processing'];
    return (call: Call) => {
      if (call.kind === 'upload') {
        return { status: 202, body: { importId: IMPORT_ID, sha256: finished.sha256, status: 'queued' } };
      }
      const status = states.shift();
      return status ? { ...finished, status, updates: [] } : last;
    };
  }

  it('streams the file with its type and name, waits for the import and lists the rules it touched', async () => {
    const { code, stdout, stderr, calls } = await run(['import-update', '/packages/UCUpdates.cab'], pool(finished), { files });
    expect(code).toBe(ExitCode.Ok);
    expect(calls[0]).toEqual({
      kind: 'upload',
      path: '/api/v1/updates',
      headers: { 'Content-Type': 'application/vnd.ms-cab-compressed', 'Content-Disposition': 'attachment; filename="UCUpdates.cab"' },
      bytes: 3000,
    });
    expect(sent(calls.slice(1))).toEqual(Array(3).fill({ method: 'GET', path: `/api/v1/imports/${IMPORT_ID}` }));
    expect(stderr).toContain('Uploading UCUpdates.cab (2.9 KiB)…\n');
    expect(stderr).toContain(`Import ${IMPORT_ID}: processing…`);
    expect(stdout).toContain(`Import ${IMPORT_ID} of UCUpdates.cab succeeded; replication: pending (node-1 2/3).`);
    expect(stdout).toMatch(/RuleId +DeviceType +Brand +Model +Revision +Locale +UpdateType +Version/);
    expect(stdout).toContain(`${RULE_ID} UCPhone    Polycom CX600 A        ENU    CPE        4.0.7577.4372`);
  });

  it('shows an import with its updates and every hash of their files', async () => {
    const { stdout, calls } = await run(['get-import', IMPORT_ID], () => finished);
    expect(sent(calls)).toEqual([{ method: 'GET', path: `/api/v1/imports/${IMPORT_ID}` }]);
    expect(stdout).toMatch(/Version +File +Role +Size +Sha256 +Sha1 +Md5/);
    expect(stdout).toContain(`4.0.7577.4372 CPE.nbt image 3000 ${image.sha256} ${image.sha1} ${image.md5}`);
  });

  it("prints the refusal's code and message and exits 1 when the import fails", async () => {
    const refused = { ...finished, status: 'failed', updates: [], error: { code: 'SignatureInvalid', message: 'CPE.cat: not signed by a trusted publisher' } };
    const { code, stderr } = await run(['import-update', '/packages/UCUpdates.cab'], pool(refused), { files });
    expect(code).toBe(ExitCode.Refused);
    expect(stderr).toContain(`ucupdates: SignatureInvalid: import ${IMPORT_ID} of UCUpdates.cab was refused: CPE.cat: not signed by a trusted publisher`);
  });

  it('prints the final import as JSON with --json', async () => {
    const { stdout } = await run(['import-update', '/packages/UCUpdates.cab', '--json'], pool(finished), { files });
    expect(JSON.parse(stdout)).toEqual(finished);
  });

  it('returns after the upload with --no-wait', async () => {
    const { code, stdout, calls } = await run(['import-update', '/packages/UCUpdates.cab', '--no-wait'], pool(finished), { files });
    expect(code).toBe(ExitCode.Ok);
    expect(calls.map((call) => call.kind)).toEqual(['upload']);
    expect(stdout).toContain(`ImportId : ${IMPORT_ID}`);
  });

  it('says when the same bytes came before', async () => {
    const { stderr } = await run(
      ['import-update', '/packages/UCUpdates.cab'],
      (call) => (call.kind === 'upload' ? { status: 200, body: { importId: IMPORT_ID, sha256: 'x', status: 'succeeded' } } : finished),
      { files },
    );
    expect(stderr).toContain(`These bytes were uploaded before: import ${IMPORT_ID} (succeeded).`);
  });

  it('rides out a few failed polls, but gives up (exit 6) after its timeout', async () => {
    let polls = 0;
    const flaky = await run(
      ['import-update', '/packages/UCUpdates.cab'],
      (call) => {
        if (call.kind === 'upload') {
          return { status: 202, body: { importId: IMPORT_ID, sha256: 'x', status: 'queued' } };
        }
        return ++polls <= 3 ? refuse(503, 'ServiceUnavailable', 'down') : finished;
      },
      { files },
    );
    expect(flaky.code).toBe(ExitCode.Ok);

    const slow = await run(
      ['import-update', '/packages/UCUpdates.cab', '--timeout', '5'],
      (call) => (call.kind === 'upload' ? { status: 202, body: { importId: IMPORT_ID, sha256: 'x', status: 'queued' } } : { ...finished, status: 'processing' }),
      { files },
    );
    expect(slow.code).toBe(ExitCode.ServerError);
    expect(slow.stderr).toContain(`import ${IMPORT_ID} is still processing after 5 s`);
  });

  it('exits 3 when the token may not upload', async () => {
    const { code } = await run(['import-update', '/packages/UCUpdates.cab'], () => refuse(403, 'Forbidden', 'needs operator'), { files });
    expect(code).toBe(ExitCode.NotAuthorised);
  });
});

describe('detailLines', () => {
  it('adds the issues after the first (the message) and whatever else the details say', () => {
    expect(detailLines(null)).toEqual([]);
    expect(detailLines({ field: 'scope', issues: [{ field: 'scope', message: 'bad' }] })).toEqual([]);
    expect(
      detailLines({
        field: 'name',
        issues: [
          { field: 'name', message: 'must not be empty' },
          { field: 'identifier', message: 'is not a valid serial number' },
        ],
      }),
    ).toEqual(['also identifier: is not a valid serial number']);
    expect(detailLines({ field: 'file' })).toEqual([]);
    expect(detailLines({ required: 'operator', role: 'viewer' })).toEqual(['details: {"required":"operator","role":"viewer"}']);
  });
});

describe('the request audit and the inventory: get-request-audit, export-request-audit, get-device (and their two-word aliases)', () => {
  const check = {
    id: '7',
    requestId: DEVICE_ID,
    at: '2024-05-31T08:00:00.000Z',
    nodeId: 'node-1',
    address: '10.0.0.7',
    deviceType: 'UCPhone',
    macAddress: '00-04-F2-12-34-56',
    serialNumber: null,
    vendor: 'Polycom',
    model: 'CX600',
    revision: 'A',
    locale: 'ENU',
    requestModules: [{ filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: null }],
    responseModules: [{ filename: 'CPE.nbt', signatureFilename: 'CPE.cat', version: '4.0.7577.4372', timestamp: null }],
    userId: 'sip:alice@contoso.com',
    external: true,
    status: 200,
  };
  const device = { ...CX600_DEVICE, id: DEVICE_ID };

  it('asks for the request audit with its filters, a bare date as the start of that day in UTC', async () => {
    const { code, stdout, calls } = await run(
      ['get-request-audit', '--since', '2024-05-31', '--mac', '00:04:f2:12:34:56', '--serial', 'SN1', '--node', 'node-1', '--limit', '20'],
      () => [check],
    );
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([
      {
        kind: 'list',
        path: '/api/v1/audit/requests',
        query: { since: '2024-05-31T00:00:00Z', macAddress: '00:04:f2:12:34:56', serialNumber: 'SN1', nodeId: 'node-1' },
        max: 20,
      },
    ]);
    const [header, , row] = stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['At', 'NodeId', 'Address', 'MacAddress', 'SerialNumber', 'Vendor', 'Model', 'Installed', 'Offered', 'UserId', 'Listener', 'Status']);
    expect(row).toContain('CPE.nbt 4.0.7577.4366');
    expect(row).toContain('CPE.nbt 4.0.7577.4372');
    expect(row).toMatch(/sip:alice@contoso.com +external +200$/);
  });

  it('takes the two-word alias, global flags between its words, and prints the checks as JSON', async () => {
    const { code, stdout } = await run(['audit', '--json', 'requests'], () => [check]);
    expect(code).toBe(ExitCode.Ok);
    expect(JSON.parse(stdout)).toEqual([check]);
  });

  it("writes a day's export to stdout as it arrives", async () => {
    const { code, stdout, calls } = await run(['export-request-audit', '--date', '2024-05-31'], () => ['Logging DateTime,a\r\n', 'line tw', 'o,é\r\n']);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'download', path: '/api/v1/audit/requests/export', query: { date: '2024-05-31' } }]);
    expect(stdout).toBe('Logging DateTime,a\r\nline two,é\r\n');
  });

  it("exports one node's checks with --node", async () => {
    const { code, calls } = await run(['audit', 'export', '--date', '2024-05-31', '--node', 'node-2'], () => ['Logging DateTime\r\n']);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'download', path: '/api/v1/audit/requests/export', query: { date: '2024-05-31', nodeId: 'node-2' } }]);
  });

  it('writes the export to a file with -o, saying so on stderr', async () => {
    const { code, stdout, stderr, written } = await run(['export-request-audit', '--date', '2024-05-31', '-o', '/tmp/day.log'], () => ['a;b\n', 'c;d\n']);
    expect(code).toBe(ExitCode.Ok);
    expect(written).toEqual({ '/tmp/day.log': 'a;b\nc;d\n' });
    expect(stdout).toBe('');
    expect(stderr).toBe('Wrote the request audit of 2024-05-31 to /tmp/day.log (8 bytes).\n');
  });

  it('says which file it cannot write (exit 2), and passes on a transfer that broke off (exit 6)', async () => {
    const unwritable = await run(['export-request-audit', '--date', '2024-05-31', '-o', '/nowhere/day.log'], () => ['a\n'], {
      writeError: Object.assign(new Error('no such directory'), { code: 'ENOENT' }),
    });
    expect([unwritable.code, unwritable.stderr]).toEqual([ExitCode.Usage, expect.stringContaining('cannot write /nowhere/day.log: ENOENT')]);
    const cut = await run(['audit', 'export', '--date', '2024-05-31', '-o', '/tmp/day.log'], () => ['a\n'], {
      writeError: new ApiFailure(0, 'Interrupted', 'the download from http://127.0.0.1:38080 broke off: UND_ERR_SOCKET'),
    });
    expect([cut.code, cut.stderr]).toEqual([ExitCode.ServerError, 'ucupdates: Interrupted: the download from http://127.0.0.1:38080 broke off: UND_ERR_SOCKET\n']);
  });

  it('lists devices with their filters, and shows one (also by the aliases devices list and devices show)', async () => {
    const listed = await run(['get-device', '--brand', 'polycom', '--model', 'CX600', '--version', '4.0.7577.4366', '--seen-since', '2024-05-01'], () => [device]);
    expect(listed.code).toBe(ExitCode.Ok);
    expect(listed.calls).toEqual([
      { kind: 'list', path: '/api/v1/devices', query: { brand: 'polycom', model: 'CX600', version: '4.0.7577.4366', seenSince: '2024-05-01T00:00:00Z' } },
    ]);
    const [header, , row] = listed.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['Id', 'MacAddress', 'SerialNumber', 'Brand', 'Model', 'Revision', 'Locale', 'Modules', 'TestDevice', 'LastSeenAt']);
    expect(row).toContain('CPE 4.0.7577.4366, UCM 4.0.7577.10 no');
    const shown = await run(['Get-Device', DEVICE_ID.toUpperCase()], () => device);
    expect(sent(shown.calls)).toEqual([{ method: 'GET', path: `/api/v1/devices/${DEVICE_ID}` }]);
    expect(shown.stdout).toContain('LastNodeId   : node-1');
    const aliased = await run(['Devices', 'Show', DEVICE_ID], () => device);
    expect([aliased.stdout, sent(aliased.calls)]).toEqual([shown.stdout, sent(shown.calls)]);
    const listedByAlias = await run(['devices', 'list', '--brand', 'polycom', '--model', 'CX600', '--version', '4.0.7577.4366', '--seen-since', '2024-05-01'], () => [device]);
    expect([listedByAlias.stdout, listedByAlias.calls]).toEqual([listed.stdout, listed.calls]);
  });

  it('exits 4 for a device the pool does not know', async () => {
    const { code, stderr } = await run(['get-device', DEVICE_ID], () => refuse(404, 'NotFound', `no device ${DEVICE_ID}`));
    expect(code).toBe(ExitCode.NotFound);
    expect(stderr).toContain('NotFound');
  });

  it.each([
    [['audit'], '"audit" needs a subcommand: requests, export'],
    [['devices'], '"devices" needs a subcommand: list, show'],
    [['audit', 'everything'], 'unknown subcommand "everything" of "audit"; it has requests, export'],
    [['export-request-audit'], '--date is required'],
    [['export-request-audit', '--date', '2024-02-30'], '--date: "2024-02-30" is not a day'],
    [['audit', 'export', '--date', '31/05/2024'], '--date: "31/05/2024" is not a day'],
    [['get-request-audit', '--since', 'yesterday'], '--since: "yesterday" is not a date'],
    [['get-request-audit', '--limit', '0'], '--limit: "0" is not a whole number'],
    [['get-device', '--seen-since', 'today'], '--seen-since: "today" is not a date'],
    [['get-device', 'a', 'b'], 'unexpected argument "b"'],
    [['get-device', 'not-an-id'], '"not-an-id" is not a device id'],
    [['get-device', DEVICE_ID, '--model', 'CX600'], 'give an ID or filters (--model), not both'],
  ])('%j: %s (exit 2, nothing sent)', async (argv, message) => {
    const { code, stderr, calls } = await run(argv);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain(message);
    expect(calls).toEqual([]);
  });

  it('lists the commands in the global help and the two-word forms as aliases, a group\'s aliases with --help, and each one\'s usage', async () => {
    const global = await run(['--help']);
    for (const name of ['get-request-audit', 'export-request-audit', 'get-device', 'get-device-log', 'save-device-log', 'get-admin-audit']) {
      expect(global.stdout).toContain(`  ${name} `);
    }
    const [, aliases] = global.stdout.split('Aliases (earlier names, still accepted):\n');
    for (const [alias, name] of [
      ['audit requests', 'get-request-audit'],
      ['audit export', 'export-request-audit'],
      ['devices list', 'get-device'],
      ['devices show', 'get-device'],
      ['device-logs list', 'get-device-log'],
      ['device-logs show', 'get-device-log'],
      ['device-logs download', 'save-device-log'],
      ['get-audit', 'get-admin-audit'],
    ]) {
      expect(aliases).toMatch(new RegExp(`\\n? {2}${alias} +alias of ${name}\\n`));
    }
    const group = await run(['audit', '--help']);
    expect(group.code).toBe(ExitCode.Ok);
    expect(group.stdout).toContain('Usage: ucupdates audit SUBCOMMAND');
    expect(group.stdout).toMatch(/ {2}requests +alias of get-request-audit: show the update checks/);
    expect((await run(['help', 'devices'])).stdout).toContain('Usage: ucupdates devices SUBCOMMAND');
    for (const argv of [['help', 'audit', 'export'], ['audit', 'export', '--help'], ['export-request-audit', '--help']]) {
      const { code, stdout } = await run(argv);
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toContain('Usage: ucupdates export-request-audit --date YYYY-MM-DD [--node NODE] [-o FILE]\nAliases: audit export\n');
      expect(stdout).toContain('-o, --output FILE');
    }
  });
});

describe('the inventory counted, checked and exported: get-device-summary, get-device-compliance, export-device-inventory', () => {
  const RULE_ID = '6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f';
  const summary = {
    devices: 100000,
    testDevices: 812,
    brands: [{ value: 'Polycom', devices: 60000 }, { value: 'Aastra', devices: 40000 }],
    models: [{ value: 'CX600', devices: 60000 }],
    revisions: [{ value: 'A', devices: 100000 }],
    locales: [{ value: 'ENU', devices: 100000 }],
    updateTypes: [{ value: 'CPE', devices: 99000 }],
    versions: [{ updateType: 'CPE', version: '4.0.7577.4372', devices: 70000 }],
    modelVersions: [],
    rules: [
      { ruleId: RULE_ID, ...CX600_CPE, approvedVersion: '4.0.7577.4372', pendingVersion: null, devices: 8000, onApproved: 7000, onPending: 0, onOther: 900, onNone: 100, testDevices: 12 },
    ],
  };
  const behind = {
    ...CX600_DEVICE,
    behind: [
      { ruleId: RULE_ID, updateType: 'CPE', installedVersion: '4.0.7577.4366', offeredVersion: '4.0.7577.4372' },
      { ruleId: DEVICE_ID, updateType: 'UCM', installedVersion: null, offeredVersion: '4.0.7577.10' },
    ],
  };

  it('asks for the counts with the filters and prints the totals, each field and each rule with its share on the approved version', async () => {
    const { code, stdout, calls } = await run(['get-device-summary', '--brand', 'Polycom', '--seen-since', '2024-05-01'], () => summary);
    expect(code).toBe(ExitCode.Ok);
    expect(sent(calls)).toEqual([{ method: 'GET', path: '/api/v1/devices/summary', query: { brand: 'Polycom', seenSince: '2024-05-01T00:00:00Z' } }]);
    expect(stdout).toMatch(/^100000 devices, 812 of them test devices\.\n/);
    expect(stdout).toMatch(/Polycom +60000\n/);
    expect(stdout).toMatch(/CPE +4\.0\.7577\.4372 +70000\n/);
    expect(stdout).toMatch(/CX600 +A +ENU +CPE +4\.0\.7577\.4372 +8000 +7000 +87\.5 % +0 +900 +100 +12\n/);
    const json = await run(['get-device-summary', '--json'], () => summary);
    expect(JSON.parse(json.stdout)).toEqual(summary);
  });

  it('lists the devices behind, a line per rule each is behind on, with the filters and --rule', async () => {
    const { code, stdout, calls } = await run(['get-device-compliance', '--model', 'CX600', '--rule', RULE_ID.toUpperCase(), '--limit', '50'], () => [behind]);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'list', path: '/api/v1/devices/compliance', query: { model: 'CX600', ruleId: RULE_ID }, max: 50 }]);
    const [header, , first, second] = stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['MacAddress', 'SerialNumber', 'Brand', 'Model', 'Locale', 'UpdateType', 'Installed', 'Offered', 'TestDevice', 'LastSeenAt']);
    expect(first).toMatch(/CPE +4\.0\.7577\.4366 +4\.0\.7577\.4372 +no/);
    expect(second).toMatch(/UCM +\(none\) +4\.0\.7577\.10 +no/);
    const none = await run(['get-device-compliance'], () => []);
    expect([none.stdout, none.stderr]).toEqual(['', 'No devices are behind on their rules.\n']);
  });

  it('downloads the list as CSV with --csv, to stdout or a file', async () => {
    const { code, stdout, calls } = await run(['get-device-compliance', '--csv', '--brand', 'Polycom'], () => ['Mac Address,…\r\n', 'row\r\n']);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'download', path: '/api/v1/devices/compliance/export', query: { brand: 'Polycom' } }]);
    expect(stdout).toBe('Mac Address,…\r\nrow\r\n');
    const saved = await run(['get-device-compliance', '--csv', '-o', '/tmp/behind.csv'], () => ['a\r\n']);
    expect([saved.written, saved.stderr]).toEqual([{ '/tmp/behind.csv': 'a\r\n' }, 'Wrote the devices behind on their rules to /tmp/behind.csv (3 bytes).\n']);
  });

  it('exports the inventory under the filters, to stdout or a file', async () => {
    const { code, stdout, calls } = await run(['export-device-inventory', '--version', '4.0.7577.4366'], () => ['Mac Address\r\n']);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'download', path: '/api/v1/devices/export', query: { version: '4.0.7577.4366' } }]);
    expect(stdout).toBe('Mac Address\r\n');
    const saved = await run(['export-device-inventory', '-o', '/tmp/inventory.csv'], () => ['ab\r\n']);
    expect([saved.written, saved.stderr]).toEqual([{ '/tmp/inventory.csv': 'ab\r\n' }, 'Wrote the device inventory to /tmp/inventory.csv (4 bytes).\n']);
  });

  it.each([
    [['get-device-compliance', '--rule', 'CX600'], '"CX600" is not a rule id'],
    [['get-device-summary', '--seen-since', 'today'], '--seen-since: "today" is not a date'],
    [['get-device-summary', '--limit', '5'], '--limit'],
    [['export-device-inventory', 'all'], 'takes no argument (got "all")'],
  ])('%j: %s (exit 2, nothing sent)', async (argv, message) => {
    const { code, stderr, calls } = await run(argv);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain(message);
    expect(calls).toEqual([]);
  });
});

describe('new-package: DDI updates (docs/ddi.md)', () => {
  const swu = async (...names: string[]) => {
    const chunks: Buffer[] = [];
    for await (const chunk of writeCpio(names.map((name) => bufferEntry(name, Buffer.from(`${name} bytes`))))) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const ddi = ['--device-type', 'DDI', '--brand', 'Contoso', '--model', 'Gateway-1', '--revision', '1.0', '--locale', 'Neutral', '--update-type', 'os', '--version', '2.4.1'];

  /** The cabinet's entries and their bytes. */
  async function entriesOf(cab: Buffer): Promise<Record<string, Buffer>> {
    const reader = await CabReader.open(bufferSource(cab));
    const found: Record<string, Buffer> = {};
    for await (const entry of reader.entries()) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry.data) chunks.push(Buffer.from(chunk));
      found[entry.file.name] = Buffer.concat(chunks);
    }
    return found;
  }

  /** The cabinet's entries and their text. */
  const entries = async (cab: Buffer) => Object.fromEntries(Object.entries(await entriesOf(cab)).map(([name, bytes]) => [name, bytes.toString('utf8')]));

  it('packages a .swu signed itself as it is: no catalog, none signed here, update.xml naming none', async () => {
    const files = { '/in/gateway-2.4.1.swu': await swu('sw-description', 'sw-description.sig', 'rootfs.ext4') };
    const { code, stdout, writtenBytes } = await run(['new-package', '-o', '/out/gw.cab', '--image', '/in/gateway-2.4.1.swu', ...ddi], undefined, { files });
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('none (signed .swu)');
    const cab = await entries(writtenBytes['/out/gw.cab']);
    expect(Object.keys(cab)).toEqual(['1-Gateway-1-os\\update.xml', '1-Gateway-1-os\\gateway-2.4.1.swu']);
    expect(cab['1-Gateway-1-os\\update.xml']).toContain('<DeviceType>DDI</DeviceType>');
    expect(cab['1-Gateway-1-os\\update.xml']).toContain('<Image>gateway-2.4.1.swu</Image>');
    expect(cab['1-Gateway-1-os\\update.xml']).not.toContain('<Catalog>');
  });

  it('wants a signer or a catalog for a .swu that is not signed itself, and warns that SWUpdate refuses it', async () => {
    const files = { '/in/gw.swu': await swu('sw-description', 'rootfs.ext4') };
    const { code, stderr } = await run(['new-package', '-o', '/out/gw.cab', '--image', '/in/gw.swu', ...ddi], undefined, { files });
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('is not signed itself (no sw-description.sig)');
    expect(stderr).toContain('give --certificate and --key');
  });

  it('builds and signs a .swu from an sw-description template and payloads, which the pool reads and verifies', async () => {
    const pki = TestPki.create();
    try {
      const root = pki.issue('root', { subject: '/CN=Root', profile: Profile.Ca, notBefore: '20200101000000Z', notAfter: '20450101000000Z' });
      const signer = pki.issue('signer', { subject: '/CN=Signer', issuer: root, profile: Profile.SmimeSigner, notBefore: '20240101000000Z', notAfter: '20400101000000Z' });
      const rootfs = Buffer.from('a root file system');
      const files = {
        '/in/sw-description.in': Buffer.from('software = { version = "2.4.2"; files: ({ filename = "rootfs.ext4"; sha256 = "$swupdate_get_sha256(rootfs.ext4)"; }); };\n'),
        '/in/rootfs.ext4': rootfs,
        '/in/signer.pem': Buffer.from(signer.pem),
        '/in/signer.key': pki.read('signer.key'),
      };
      const argv = ['new-package', '-o', '/out/gw.cab', '--sw-description', '/in/sw-description.in', '--payload', '/in/rootfs.ext4', '--certificate', '/in/signer.pem', '--key', '/in/signer.key'];
      const { code, stdout, writtenBytes } = await run([...argv, ...ddi.map((value) => (value === '2.4.1' ? '2.4.2' : value))], undefined, { files });
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toContain('none (built and signed here)');
      const cab = await entriesOf(writtenBytes['/out/gw.cab']);
      expect(Object.keys(cab)).toEqual(['1-Gateway-1-os\\update.xml', '1-Gateway-1-os\\Gateway-1-2.4.2.swu']);
      const head = await readSwuHead(swuSource(cab['1-Gateway-1-os\\Gateway-1-2.4.2.swu']));
      expect(head.members.map((member) => member.name)).toEqual(['sw-description', 'sw-description.sig', 'rootfs.ext4']);
      expect(head.description.toString()).toContain(`sha256 = "${createHash('sha256').update(rootfs).digest('hex')}"`);
      expect(await verifySwuSignature(head, TrustStore.fromPem(root.pem))).toHaveLength(1);
    } finally {
      pki.remove();
    }
  });

  it.each([
    ['an image not named .swu', '/in/gw.bin', async () => swu('sw-description'), "a DDI update's image is a SWUpdate image, whose name ends in .swu"],
    ['a file that is no cpio archive', '/in/gw.swu', async () => Buffer.from('PK zip bytes'), 'is not a SWUpdate image: it is not a cpio archive'],
    ['sw-description not first', '/in/gw.swu', async () => swu('rootfs.ext4', 'sw-description'), 'its first member is "rootfs.ext4", not sw-description'],
  ])('refuses %s, writing nothing', async (_, path, make, message) => {
    const { code, stderr, writtenBytes } = await run(['new-package', '-o', '/out/gw.cab', '--image', path, ...ddi], undefined, { files: { [path]: await make() } });
    expect([code, writtenBytes]).toEqual([ExitCode.Usage, {}]);
    expect(stderr).toContain(message);
  });
});
