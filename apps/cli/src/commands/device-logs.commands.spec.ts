import { createHash } from 'node:crypto';
import { ApiFailure, type DeviceLogView } from '@ucupdates/admin-api';
import type { Api, ApiRequest, Query } from '../api-client';
import { type CliEnvironment, runCli } from '../cli';
import { ExitCode } from '../exit-codes';
import { localFileName } from './device-logs.commands';

const ID = '5b7d9f1a-3c5e-4a7b-9d1f-2e4a6c8b0d1e';
const BYTES = Buffer.from('CELog line 1\nCELog line 2\n');

const log: DeviceLogView = {
  id: ID,
  deviceType: 'UCPhone',
  macAddress: '00-04-F2-12-34-56',
  serialNumber: null,
  logType: 'CELog',
  fileName: 'device.clg',
  size: BYTES.length,
  sha256: createHash('sha256').update(BYTES).digest('hex'),
  nodeId: 'node-1',
  address: '10.0.0.7',
  userId: null,
  external: false,
  createdAt: '2024-05-31T08:00:00.000Z',
};

type Call = { kind: 'send'; request: ApiRequest } | { kind: 'list'; path: string; query: Query; max?: number } | { kind: 'download'; path: string };

interface Setup {
  /** The log the API answers. */
  answer?: DeviceLogView;
  /** The bytes the content download gives. */
  content?: Buffer;
  /** Files that exist already. */
  existing?: string[];
}

/** The CLI against a recorder: what it asks of the API, what it prints and what files it writes. */
async function run(argv: string[], setup: Setup = {}) {
  const calls: Call[] = [];
  const written: Record<string, Buffer> = {};
  let stdout = '';
  let stderr = '';
  const api: Api = {
    async send<T>(request: ApiRequest) {
      calls.push({ kind: 'send', request });
      if (!setup.answer) {
        throw new ApiFailure(404, 'NotFound', `device log ${ID}: no such log`);
      }
      return setup.answer as T;
    },
    async listAll<T>(path: string, query: Query = {}, max?: number) {
      const defined = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
      calls.push({ kind: 'list', path, query: defined, ...(max === undefined ? {} : { max }) });
      return [log] as T[];
    },
    async upload() {
      throw new Error('not used');
    },
    async download(path: string) {
      calls.push({ kind: 'download', path });
      const content = setup.content ?? BYTES;
      return (async function* () {
        yield new Uint8Array(content.subarray(0, 5));
        yield new Uint8Array(content.subarray(5));
      })();
    },
  };
  const environment: CliEnvironment = {
    argv,
    env: { UCU_TOKEN: 'ucu_token_for_tests', UCU_URL: 'http://127.0.0.1:38080' },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Object.assign((async function* () {})(), { isTTY: false }),
    files: {
      size(path) {
        if (!setup.existing?.includes(path)) {
          throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        }
        return 1;
      },
      read() {
        throw new Error('not used');
      },
      // As node:fs in use: the file appears only once every chunk was written.
      async write(path, chunks) {
        const parts: Buffer[] = [];
        for await (const chunk of chunks) {
          parts.push(Buffer.from(chunk));
        }
        written[path] = Buffer.concat(parts);
        return written[path].length;
      },
    },
    makeApi: () => api,
    sleep: async () => undefined,
    now: () => 0,
  };
  const code = await runCli(environment);
  return { code, stdout, stderr, calls, written };
}

describe('get-device-log (a list)', () => {
  it('passes the filters to GET /api/v1/device-logs and shows a table', async () => {
    const { code, stdout, calls } = await run([
      'get-device-log',
      '--mac',
      '00:04:f2:12:34:56',
      '--log-type',
      'celog',
      '--device-type',
      'UCPhone',
      '--since',
      '2024-05-01',
      '--limit',
      '20',
    ]);
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([
      {
        kind: 'list',
        path: '/api/v1/device-logs',
        query: { macAddress: '00:04:f2:12:34:56', logType: 'celog', deviceType: 'UCPhone', since: '2024-05-01T00:00:00Z' },
        max: 20,
      },
    ]);
    expect(stdout.split('\n')[0]).toMatch(/^Id +CreatedAt +LogType +FileName +Size +DeviceType +MacAddress +SerialNumber +NodeId$/);
    expect(stdout).toContain('device.clg');
  });

  it('refuses a bad time before sending anything (exit 2)', async () => {
    const { code, stderr, calls } = await run(['get-device-log', '--until', 'tomorrow']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('--until: "tomorrow" is not a date');
    expect(calls).toEqual([]);
  });

  it('keeps device-logs list, show and download as aliases, listed under their group', async () => {
    const { code, stdout } = await run(['device-logs', '--help']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('Usage: ucupdates device-logs SUBCOMMAND');
    for (const [name, command] of [['list', 'get-device-log'], ['show', 'get-device-log'], ['download', 'save-device-log']]) {
      expect(stdout).toMatch(new RegExp(` {2}${name} +alias of ${command}: `));
    }
    const byAlias = await run(['device-logs', 'list', '--log-type', 'celog']);
    expect(byAlias.calls).toEqual([{ kind: 'list', path: '/api/v1/device-logs', query: { logType: 'celog' } }]);
  });
});

describe('get-device-log ID', () => {
  it("shows the log's fields", async () => {
    const { code, stdout, calls } = await run(['get-device-log', ID], { answer: log });
    expect(code).toBe(ExitCode.Ok);
    expect(calls).toEqual([{ kind: 'send', request: { method: 'GET', path: `/api/v1/device-logs/${ID}` } }]);
    expect(stdout).toContain(`Sha256       : ${log.sha256}`);
    expect(stdout).toContain('Listener     : internal');
  });

  it('refuses an id that is not a UUID (exit 2) and reports an unknown one (exit 4)', async () => {
    const bad = await run(['get-device-log', 'not-an-id']);
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.calls).toEqual([]);
    const unknown = await run(['device-logs', 'show', ID]);
    expect(unknown.code).toBe(ExitCode.NotFound);
    expect(unknown.stderr).toContain('NotFound');
  });
});

describe('save-device-log', () => {
  it("saves the file under the log's name, checked against its size and SHA-256, and prints the path", async () => {
    const { code, stdout, stderr, calls, written } = await run(['save-device-log', ID], { answer: log });
    expect(code).toBe(ExitCode.Ok);
    expect(calls.map((call) => (call.kind === 'send' ? call.request.path : call.kind === 'download' ? call.path : call.kind))).toEqual([
      `/api/v1/device-logs/${ID}`,
      `/api/v1/device-logs/${ID}/content`,
    ]);
    expect(written['device.clg']).toEqual(BYTES);
    expect(stdout).toBe('device.clg\n');
    expect(stderr).toContain(`Saved device log ${ID} (CELog, ${BYTES.length} bytes) to device.clg.`);
  });

  it('saves to -o FILE, even over a file, and answers the log as JSON with --json', async () => {
    const { code, stdout, written } = await run(['save-device-log', ID, '-o', 'out.bin', '--json'], { answer: log, existing: ['out.bin'] });
    expect(code).toBe(ExitCode.Ok);
    expect(written['out.bin']).toEqual(BYTES);
    expect(JSON.parse(stdout)).toEqual({ ...log, file: 'out.bin' });
  });

  it("will not replace a file of the log's name unless told to (exit 2)", async () => {
    const { code, stderr, written } = await run(['save-device-log', ID], { answer: log, existing: ['device.clg'] });
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('device.clg exists already: name another file with -o');
    expect(written).toEqual({});
  });

  it('keeps no file when the bytes are not the ones recorded (exit 6)', async () => {
    const { code, stderr, written } = await run(['save-device-log', ID], { answer: log, content: Buffer.from('something else') });
    expect(code).toBe(ExitCode.ServerError);
    expect(stderr).toContain('Corrupt');
    expect(written).toEqual({});
  });
});

describe('localFileName', () => {
  it.each([
    ['device.clg', 'device.clg'],
    ['../../etc/passwd', 'passwd'],
    ['..\\x.txt', 'x.txt'],
    ['a\u001b[31mb.txt', 'a[31mb.txt'],
    ['..', `${ID}.log`],
    ['', `${ID}.log`],
  ])('writes %j as %j', (fileName, local) => {
    expect(localFileName({ id: ID, fileName })).toBe(local);
  });
});
