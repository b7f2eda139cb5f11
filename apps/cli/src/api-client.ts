import { ApiFailure, failureOf, type Page, PAGE_LIMIT } from '@ucupdates/admin-api';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | undefined>;

export interface ApiRequest {
  method: Method;
  /** From the API's root, e.g. `/api/v1/rules/<id>/approve`. */
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
}

export interface UploadAnswer<T> {
  status: number;
  body: T;
}

/** What the commands need of the pool: HttpApi in use, a recorder in the unit tests. */
export interface Api {
  /** One request; resolves to the answer's JSON (undefined for 204), rejects with ApiFailure. */
  send<T>(request: ApiRequest): Promise<T>;
  /** Every item of a list, following `nextCursor`; at most `max` items when given. */
  listAll<T>(path: string, query?: Query, max?: number): Promise<T[]>;
  /** Streams `body` as the request body (uploads); no time limit, a package may be gigabytes. */
  upload<T>(path: string, body: AsyncIterable<Uint8Array>, headers: Record<string, string>): Promise<UploadAnswer<T>>;
  /**
   * A file the API answers (not JSON), streamed: resolves once the answer has begun, rejects with
   * ApiFailure for a refusal; iterating the body rejects with ApiFailure if the transfer breaks off.
   */
  download(path: string, query?: Query): Promise<AsyncIterable<Uint8Array>>;
}

export interface ApiSettings {
  /** The internal listener, e.g. `http://127.0.0.1:8080`; a path prefix (a reverse proxy's) is kept. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** For every request but uploads. */
  timeoutMs?: number;
  /**
   * Called when a change's answer names active nodes that had not confirmed serving the new state
   * within the pool's wait (`X-UCU-Unconfirmed-Nodes`, architecture.md §3): made, not yet everywhere.
   */
  onUnconfirmed?: (nodes: string[]) => void;
}

/** The admin API over HTTP with a bearer token; failures become ApiFailure (their exit code: exitCodeForStatus). */
export class HttpApi implements Api {
  private readonly base: URL;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly settings: ApiSettings) {
    this.base = new URL(settings.baseUrl);
    this.fetch = settings.fetch ?? globalThis.fetch;
    this.timeoutMs = settings.timeoutMs ?? 60_000;
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    url.search = '';
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.set(name, value);
      }
    }
    return url.toString();
  }

  async send<T>(request: ApiRequest): Promise<T> {
    const headers: Record<string, string> = this.headers();
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await this.call(this.url(request.path, request.query), {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return (await this.answer<T>(response)).body;
  }

  async listAll<T>(path: string, query: Query = {}, max = Infinity): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const limit = String(Math.min(PAGE_LIMIT.max, max - items.length));
      const page = await this.send<Page<T>>({ method: 'GET', path, query: { ...query, limit, cursor } });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      // A server that hands the same cursor back would otherwise keep us here for ever.
      if (cursor !== undefined && seen.has(cursor)) {
        throw new ApiFailure(0, 'BadCursor', `the pool gave the cursor ${cursor} twice while listing ${path}`);
      }
      if (cursor !== undefined) {
        seen.add(cursor);
      }
    } while (cursor !== undefined && items.length < max);
    return items;
  }

  async upload<T>(path: string, body: AsyncIterable<Uint8Array>, headers: Record<string, string>): Promise<UploadAnswer<T>> {
    const response = await this.call(this.url(path), {
      method: 'POST',
      headers: { ...this.headers(), ...headers },
      body,
      // fetch needs this for a streamed body: the request is sent while the body is still read.
      duplex: 'half',
    });
    return this.answer<T>(response);
  }

  async download(path: string, query: Query = {}): Promise<AsyncIterable<Uint8Array>> {
    // The time limit is for the answer to begin; a day's audit may take long to arrive, like an upload.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('no answer in time', 'TimeoutError')), this.timeoutMs);
    let response: Response;
    try {
      response = await this.call(this.url(path, query), {
        method: 'GET',
        headers: { ...this.headers(), Accept: 'text/plain, application/json' },
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      await this.answer(response);
    }
    const body = response.body;
    const origin = this.base.origin;
    return (async function* () {
      if (!body) {
        return;
      }
      try {
        for await (const chunk of body) {
          yield chunk;
        }
      } catch (error) {
        // The pool cuts the connection when it cannot finish (Fastify destroys it): never a short file that looks whole.
        throw new ApiFailure(0, 'Interrupted', `the download from ${origin} broke off: ${reasonOf(error)}`);
      }
    })();
  }

  private headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.settings.token}`, Accept: 'application/json', 'User-Agent': 'ucupdates-cli' };
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(url, init);
    } catch (error) {
      throw unreachable(this.base.origin, error);
    }
    const unconfirmed = response.headers?.get('X-UCU-Unconfirmed-Nodes');
    if (unconfirmed) this.settings.onUnconfirmed?.(unconfirmed.split(',').filter((node) => node !== ''));
    return response;
  }

  private async answer<T>(response: Response): Promise<UploadAnswer<T>> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw unreachable(this.base.origin, error);
    }
    if (!response.ok) {
      throw failureOf(response.status, response.statusText, text);
    }
    if (response.status === 204 || text === '') {
      return { status: response.status, body: undefined as T };
    }
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw new ApiFailure(response.status, 'NotAdminApi', `the answer is not JSON: is ${this.base.origin} the internal listener of a ucupdates pool?`);
    }
  }
}

function unreachable(origin: string, error: unknown): ApiFailure {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new ApiFailure(0, 'Timeout', `${origin} did not answer in time`);
  }
  return new ApiFailure(0, 'Unreachable', `cannot reach ${origin}: ${reasonOf(error)}`);
}

/** fetch's own message is "fetch failed" or "terminated"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
