import { join } from 'node:path';
import { buildPackage, type TestUpdate } from './package-builder';
import { type PoolPki } from './test-pki';
import { call } from './phone-load';
import { waitFor } from './waiting';

export interface ImportedView {
  status: string;
  updates: { ruleId: string; updateType: string; version: string }[];
}

/**
 * The admin API of a pool started by an end-to-end suite, as its tests call it: any request with
 * the suite's token, and packages built, uploaded and waited for. `baseUrl` is asked at each call
 * (the pool starts in beforeAll).
 */
export class AdminClient {
  constructor(
    private readonly baseUrl: () => string,
    private readonly token: string,
    /** Where packages are built, and the PKI that signs them. */
    private readonly packages: () => { dir: string; pki: PoolPki },
  ) {}

  /** A JSON body, or bytes as they are. */
  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const contentType: Record<string, string> = body === undefined || Buffer.isBuffer(body) ? {} : { 'Content-Type': 'application/json' };
    return call(`${this.baseUrl()}${path}`, { method, body: payload, headers: { Authorization: `Bearer ${this.token}`, ...contentType, ...headers } });
  }

  /** Builds a package of `updates` (in a folder named `name`), uploads it; its import's id. */
  async startImport(name: string, updates: TestUpdate[]): Promise<string> {
    const { dir, pki } = this.packages();
    const cab = buildPackage(join(dir, name), pki, updates);
    const uploaded = await this.request('POST', '/api/v1/updates', cab, { 'Content-Type': 'application/vnd.ms-cab-compressed' });
    expect(uploaded.status).toBe(202);
    return (JSON.parse(uploaded.body) as { importId: string }).importId;
  }

  /** The import once it succeeded; fails at once if it failed. */
  waitForImport(importId: string, timeoutMs = 120_000): Promise<ImportedView> {
    return waitFor(`import ${importId}`, timeoutMs, async () => {
      const view = JSON.parse((await this.request('GET', `/api/v1/imports/${importId}`)).body) as ImportedView;
      expect(view.status).not.toBe('failed');
      return view.status === 'succeeded' ? view : null;
    });
  }

  async importPackage(name: string, updates: TestUpdate[]): Promise<ImportedView> {
    return this.waitForImport(await this.startImport(name, updates));
  }
}
