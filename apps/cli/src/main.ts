#!/usr/bin/env node
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpApi } from './api-client';
import { runCli } from './cli';

/**
 * `ucupdates`: Lync's device update cmdlets over the admin API. Self-contained on purpose (Node's
 * built-ins only; from libs/ only what uses them alone, by relative path: new-package's cab writer,
 * signer and version check): it talks HTTP, starts fast, and builds with plain tsc.
 */

// `ucupdates get-rule | head` closes stdout early; that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(process.exitCode ?? 0);
  }
  throw error;
});

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  files: {
    size(path) {
      const stat = statSync(path);
      if (!stat.isFile()) {
        throw new Error('not a file');
      }
      return stat.size;
    },
    // 1 MiB reads: fewer, larger chunks for the request body than the 64 KiB default.
    read: (path) => createReadStream(path, { highWaterMark: 1 << 20 }),
    // Written beside the target and renamed when complete, so a broken transfer leaves no short file under the name.
    async write(path, chunks) {
      const partial = `${path}.partial`;
      let bytes = 0;
      try {
        await pipeline(
          async function* () {
            for await (const chunk of chunks) {
              bytes += chunk.byteLength;
              yield chunk;
            }
          },
          createWriteStream(partial),
        );
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return bytes;
    },
  },
  makeApi: (settings) => new HttpApi(settings),
  sleep: (ms) => sleep(ms),
  now: () => Date.now(),
}).then((code) => {
  // exitCode, not exit(): what is still buffered for stdout is written first.
  process.exitCode = code;
});
