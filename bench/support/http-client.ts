import { createHash } from 'node:crypto';
import http from 'node:http';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request on a fresh connection (no agent: Node's global agent would reuse a kept-alive one,
 * which the server may have closed while this process was busy, e.g. building a package: a large
 * upload then fails with `write EPIPE`), the whole answer kept.
 */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { agent: false, method: options.method ?? 'GET', headers: options.headers, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${url}: no answer within 30 s`)));
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

export interface Download {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  sha256: string;
}

/** A GET on a fresh connection (as `request`) whose body is hashed as it arrives (never held whole). */
export function download(url: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const outgoing = http.get(url, { agent: false, timeout: 60_000 }, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes, sha256: hash.digest('hex') }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${url}: no answer within 60 s`)));
    outgoing.on('error', reject);
  });
}
