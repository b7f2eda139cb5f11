import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type Agent, request as httpRequest } from 'node:http';

/** The SHA-256 of a file, read as a stream (replica files can be hundreds of megabytes). */
export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** A download as a phone makes it, hashed as it streams (never held whole in memory). */
export function download(url: string, agent?: Agent): Promise<{ status: number; size: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent, timeout: 120_000 }, (response) => {
      const hash = createHash('sha256');
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, size, sha256: hash.digest('hex') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end();
  });
}
