#!/usr/bin/env node
import { createReadStream, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpApi } from './api-client';
import { runCli } from './cli';

/**
 * `ucupdates`: Lync's device update cmdlets over the admin API. Self-contained on purpose (Node's
 * built-ins only, nothing from libs/): it only talks HTTP, starts fast, and builds with plain tsc.
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
  },
  makeApi: (settings) => new HttpApi(settings),
  sleep: (ms) => sleep(ms),
  now: () => Date.now(),
}).then((code) => {
  // exitCode, not exit(): what is still buffered for stdout is written first.
  process.exitCode = code;
});
