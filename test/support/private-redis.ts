import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRedis } from '@ucupdates/redis';

/**
 * A Redis server of a test's own (its port, its directory), run as production runs it (AOF on,
 * noeviction), so the test can stop and start it under the apps — a fault the shared server must
 * not suffer. Queued jobs survive a stop (SIGTERM: redis-server flushes its AOF and exits).
 */
export class PrivateRedis {
  private server: ChildProcess | null = null;

  constructor(
    readonly dir: string,
    readonly port: number,
    /** More of redis-server's options (`--replicaof host port` for a replica). */
    private readonly options: string[] = [],
  ) {}

  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.server = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir,
        '--maxmemory-policy', 'noeviction', ...this.options],
      { stdio: 'ignore' },
    );
    const probe = createRedis(this.url(), 'probe', { retryStrategy: () => 50 });
    probe.on('error', () => undefined);
    try {
      const deadline = Date.now() + 10_000;
      while ((await probe.ping().catch(() => null)) !== 'PONG') {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      probe.disconnect();
    }
  }

  /** SIGTERM (a clean stop), or SIGKILL (a crash: nothing flushed, no goodbye to replicas). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const running = this.server;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
    this.server = null;
  }
}
