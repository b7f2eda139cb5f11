import { ApiFailure, failureOf } from '@ucupdates/admin-api';
import { HttpApi } from './api-client';
import { ExitCode, exitCodeForStatus } from './exit-codes';

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a list and records what it was asked. */
function fakeFetch(answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({ url: String(url), init: init ?? {} });
    const answer = answers.shift();
    if (!answer) {
      throw new Error('no answer left');
    }
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

const withExitCode = (error: ApiFailure) => Object.assign(error, { exitCode: exitCodeForStatus(error.status) });

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** The failure a call ended in, with the exit code the CLI gives it. */
async function failure(promise: Promise<unknown>): Promise<ApiFailure & { exitCode: ExitCode }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiFailure) {
      return withExitCode(error);
    }
    throw error;
  }
  throw new Error('expected an ApiFailure');
}

describe('exitCodeForStatus', () => {
  it.each([
    [400, ExitCode.Refused],
    [401, ExitCode.NotAuthorised],
    [403, ExitCode.NotAuthorised],
    [404, ExitCode.NotFound],
    [409, ExitCode.Conflict],
    [413, ExitCode.Refused],
    [422, ExitCode.Refused],
    [500, ExitCode.ServerError],
    [503, ExitCode.ServerError],
    [302, ExitCode.ServerError],
  ])('HTTP %d exits %d', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });
});

describe('HttpApi', () => {
  it('sends the bearer token and JSON to the path under the base URL, keeping a proxy prefix', async () => {
    const { sent, fetch } = fakeFetch([json(200, { id: 'x' })]);
    const api = new HttpApi({ baseUrl: 'https://pool.contoso.com/ucupdates/', token: 'ucu_secret', fetch });
    await expect(api.send({ method: 'PATCH', path: '/api/v1/test-devices/x', query: { a: '1', b: undefined }, body: { name: 'n' } })).resolves.toEqual({
      id: 'x',
    });
    expect(sent[0].url).toBe('https://pool.contoso.com/ucupdates/api/v1/test-devices/x?a=1');
    expect(sent[0].init).toMatchObject({
      method: 'PATCH',
      body: '{"name":"n"}',
      headers: { Authorization: 'Bearer ucu_secret', 'Content-Type': 'application/json', Accept: 'application/json' },
    });
  });

  it('answers undefined for 204', async () => {
    const { fetch } = fakeFetch([new Response(null, { status: 204 })]);
    await expect(new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).send({ method: 'DELETE', path: '/x' })).resolves.toBeUndefined();
  });

  it('follows nextCursor until the last page, asking for the largest pages', async () => {
    const { sent, fetch } = fakeFetch([
      json(200, { items: [1, 2], nextCursor: 'c1' }),
      json(200, { items: [3], nextCursor: 'c2' }),
      json(200, { items: [], nextCursor: null }),
    ]);
    const api = new HttpApi({ baseUrl: 'http://h:8080', token: 't', fetch });
    await expect(api.listAll('/api/v1/rules', { brand: 'Poly*' })).resolves.toEqual([1, 2, 3]);
    expect(sent.map((each) => each.url)).toEqual([
      'http://h:8080/api/v1/rules?brand=Poly*&limit=1000',
      'http://h:8080/api/v1/rules?brand=Poly*&limit=1000&cursor=c1',
      'http://h:8080/api/v1/rules?brand=Poly*&limit=1000&cursor=c2',
    ]);
  });

  it('stops at max items, asking for no more than it needs', async () => {
    const { sent, fetch } = fakeFetch([json(200, { items: [1, 2, 3], nextCursor: 'c1' })]);
    await expect(new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).listAll('/l', {}, 3)).resolves.toEqual([1, 2, 3]);
    expect(sent.map((each) => each.url)).toEqual(['http://h/l?limit=3']);
  });

  it('refuses a cursor handed back twice rather than looping for ever', async () => {
    const { fetch } = fakeFetch([json(200, { items: [1], nextCursor: 'c' }), json(200, { items: [1], nextCursor: 'c' })]);
    const error = await failure(new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).listAll('/l'));
    expect([error.code, error.exitCode]).toEqual(['BadCursor', ExitCode.ServerError]);
  });

  it("turns the API's error into its code, message, details and exit code", async () => {
    const { fetch } = fakeFetch([json(409, { error: { code: 'NoPendingVersion', message: 'nothing pending', details: null } })]);
    const error = await failure(new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).send({ method: 'POST', path: '/x' }));
    expect(error).toMatchObject({ status: 409, code: 'NoPendingVersion', message: 'nothing pending', details: null, exitCode: ExitCode.Conflict });
  });

  it('names the reason a pool cannot be reached, and exits 6', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const { fetch } = fakeFetch([refused]);
    const error = await failure(new HttpApi({ baseUrl: 'http://127.0.0.1:38999', token: 't', fetch }).send({ method: 'GET', path: '/x' }));
    expect(error).toMatchObject({ status: 0, code: 'Unreachable', message: 'cannot reach http://127.0.0.1:38999: ECONNREFUSED', exitCode: ExitCode.ServerError });
  });

  it('says so when a success is not JSON (the URL is not the admin API)', async () => {
    const { fetch } = fakeFetch([new Response('<html></html>', { status: 200 })]);
    const error = await failure(new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).send({ method: 'GET', path: '/x' }));
    expect([error.code, error.exitCode]).toEqual(['NotAdminApi', ExitCode.ServerError]);
  });

  it('streams an upload with duplex half and answers its status with the body', async () => {
    const { sent, fetch } = fakeFetch([json(202, { importId: 'i' })]);
    async function* body() {
      yield new Uint8Array([1]);
    }
    const answer = await new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).upload('/api/v1/updates', body(), {
      'Content-Type': 'application/vnd.ms-cab-compressed',
    });
    expect(answer).toEqual({ status: 202, body: { importId: 'i' } });
    expect(sent[0].init).toMatchObject({ method: 'POST', duplex: 'half', headers: { 'Content-Type': 'application/vnd.ms-cab-compressed', Authorization: 'Bearer t' } });
  });

  async function drain(chunks: AsyncIterable<Uint8Array>): Promise<string> {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) {
      parts.push(Buffer.from(chunk));
    }
    return Buffer.concat(parts).toString('utf8');
  }

  it('streams a download with its query, chunk by chunk', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('a;b\n'));
        controller.enqueue(new TextEncoder().encode('c;d\n'));
        controller.close();
      },
    });
    const { sent, fetch } = fakeFetch([new Response(body, { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })]);
    const chunks = await new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).download('/api/v1/audit/requests/export', { date: '2024-05-31' });
    expect(await drain(chunks)).toBe('a;b\nc;d\n');
    expect(sent[0].url).toBe('http://h/api/v1/audit/requests/export?date=2024-05-31');
    expect(sent[0].init).toMatchObject({ method: 'GET', headers: { Authorization: 'Bearer t' } });
  });

  it("refuses a download with the API's error, before any byte", async () => {
    const { fetch } = fakeFetch([json(400, { error: { code: 'BadRequest', message: 'date: bad', details: { field: 'date' } } })]);
    const error = await failure(new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).download('/x'));
    expect(error).toMatchObject({ status: 400, code: 'BadRequest', exitCode: ExitCode.Refused });
  });

  it('says a download broke off when the connection is cut, and exits 6', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('a;b\n'));
      },
      pull(controller) {
        controller.error(Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
      },
    });
    const { fetch } = fakeFetch([new Response(body, { status: 200 })]);
    const chunks = await new HttpApi({ baseUrl: 'http://h', token: 't', fetch }).download('/x');
    const error = await failure(drain(chunks));
    expect(error).toMatchObject({ code: 'Interrupted', message: 'the download from http://h broke off: UND_ERR_SOCKET', exitCode: ExitCode.ServerError });
  });
});

describe('failureOf', () => {
  it("calls a proxy's answer NotAdminApi, hinting at the URL on 404", () => {
    expect(withExitCode(failureOf(404, 'Not Found', '<Response><Error>NotFound</Error></Response>'))).toMatchObject({
      code: 'NotAdminApi',
      message: 'Not Found (is the URL the internal listener of a ucupdates pool?)',
      exitCode: ExitCode.NotFound,
    });
    expect(withExitCode(failureOf(502, 'Bad Gateway', '<html>'))).toMatchObject({ code: 'NotAdminApi', exitCode: ExitCode.ServerError });
  });

  it("keeps the API's code, or its status's code when this client does not know it (a newer pool's)", () => {
    const body = (code: string) => JSON.stringify({ error: { code, message: 'as the pool said', details: { field: 'x' } } });
    expect(failureOf(409, 'Conflict', body('NotReplicated'))).toMatchObject({ code: 'NotReplicated', message: 'as the pool said', details: { field: 'x' } });
    expect(failureOf(409, 'Conflict', body('SomethingNewer'))).toMatchObject({ code: 'Conflict', message: 'as the pool said' });
  });
});

describe('a change the pool had not everywhere confirmed', () => {
  it('passes on the nodes X-UCU-Unconfirmed-Nodes names, and nothing when the header is absent', async () => {
    const named: string[][] = [];
    const { fetch } = fakeFetch([
      new Response(JSON.stringify({ id: 'x' }), { status: 201, headers: { 'Content-Type': 'application/json', 'X-UCU-Unconfirmed-Nodes': 'node-2,node-3' } }),
      json(201, { id: 'y' }),
    ]);
    const api = new HttpApi({ baseUrl: 'http://h', token: 't', fetch, onUnconfirmed: (nodes) => named.push(nodes) });
    expect(await api.send({ method: 'POST', path: '/api/v1/test-devices', body: {} })).toEqual({ id: 'x' });
    expect(await api.send({ method: 'POST', path: '/api/v1/test-devices', body: {} })).toEqual({ id: 'y' });
    expect(named).toEqual([['node-2', 'node-3']]);
  });
});
