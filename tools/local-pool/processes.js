// @ts-check
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

/**
 * A child process of the local pool, its output appended to a log file. Like a supervisor in
 * production, the pool starts these and may kill them; unlike one, it does not restart them by
 * itself (the fault tests decide when a killed process comes back).
 */
class ManagedProcess {
  /**
   * @param {{ name: string, command: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string, logFile: string }} spec
   */
  constructor(spec) {
    this.spec = spec;
    /** @type {import('node:child_process').ChildProcess | null} */
    this.child = null;
    /** @type {Promise<number | null> | null} */
    this.exited = null;
  }

  get name() {
    return this.spec.name;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start() {
    if (this.running) {
      throw new Error(`${this.name} is already running`);
    }
    fs.mkdirSync(path.dirname(this.spec.logFile), { recursive: true });
    const log = fs.openSync(this.spec.logFile, 'a');
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env ?? process.env,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
      child.once('error', () => resolve(null));
    });
    return this;
  }

  /** Sends the signal and waits for the process to be gone (SIGKILL after `graceMs`). */
  async stop(signal = /** @type {NodeJS.Signals} */ ('SIGTERM'), graceMs = 15_000) {
    if (!this.running || !this.child || !this.exited) {
      return;
    }
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills at once, as a crash or an OOM kill would. */
  async kill() {
    await this.stop('SIGKILL', 0);
  }
}

/** Resolves once `url` answers with `status`, or rejects after `timeoutMs` saying what it last saw. */
async function waitForHttp(/** @type {string} */ url, { status = 200, timeoutMs = 60_000, headers = {} } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const answer = await httpGet(url, headers);
      if (answer.status === status) {
        return answer;
      }
      last = `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
    } catch (error) {
      last = /** @type {Error} */ (error).message;
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

/**
 * A GET on a connection of its own, closed after the answer: a probe leaves no idle connection
 * behind for the next request to reuse after the server has closed it.
 *
 * @returns {Promise<{ status: number, body: string, headers: http.IncomingHttpHeaders }>}
 */
function httpGet(/** @type {string} */ url, /** @type {Record<string, string>} */ headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/** Whether something accepts TCP connections on host:port. */
function portAnswers(/** @type {string} */ host, /** @type {number} */ port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (/** @type {boolean} */ answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(/** @type {string} */ host, /** @type {number} */ port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portAnswers(host, port)) {
      return;
    }
    await sleep(200);
  }
  throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`);
}

/** Runs a command to completion, its output shown (`inherit`) or kept for the error message. */
function run(/** @type {string} */ command, /** @type {string[]} */ args, { cwd, env, quiet = false } = /** @type {{cwd?: string, env?: NodeJS.ProcessEnv, quiet?: boolean}} */ ({})) {
  const result = spawnSync(command, args, {
    cwd,
    env: env ?? process.env,
    stdio: quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`${command} could not run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd() : '';
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}${output}`);
  }
  return result.stdout ?? '';
}

/** The absolute path of an executable on PATH, or null. */
function which(/** @type {string} */ name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function isAlive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { ManagedProcess, httpGet, isAlive, portAnswers, run, sleep, waitForHttp, waitForPort, which };
