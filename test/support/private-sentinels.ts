import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { PrivateRedis } from './private-redis';
import { waitFor } from './waiting';

/**
 * Redis as docs/kubernetes.md runs it: a primary, a replica and three Sentinels (Debian's
 * `redis-server` and `redis-sentinel`), on five consecutive ports of a test's own from `firstPort`,
 * so a test can kill the primary and watch a replica take over.
 */
export class PrivateSentinels {
  readonly primaryName = 'ucupdates';
  readonly servers: [PrivateRedis, PrivateRedis];
  private readonly sentinelPorts: number[];
  private readonly sentinels: ChildProcess[] = [];

  constructor(
    private readonly dir: string,
    private readonly firstPort: number,
  ) {
    this.servers = [
      new PrivateRedis(join(dir, 'primary'), firstPort),
      new PrivateRedis(join(dir, 'replica'), firstPort + 1, ['--replicaof', '127.0.0.1', String(firstPort)]),
    ];
    this.sentinelPorts = [firstPort + 2, firstPort + 3, firstPort + 4];
  }

  /** REDIS_URL naming the three Sentinels (decision 48). */
  url(db = 0): string {
    return `redis+sentinel://${this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',')}/${this.primaryName}/${db}`;
  }

  async start(): Promise<void> {
    for (const server of this.servers) await server.start();
    for (const port of this.sentinelPorts) {
      const dir = join(this.dir, `sentinel-${port}`);
      mkdirSync(dir, { recursive: true });
      // Sentinels rewrite their file (what they learn of the replicas and each other).
      const file = join(dir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${this.primaryName} 127.0.0.1 ${this.firstPort} 2`,
          `sentinel down-after-milliseconds ${this.primaryName} 1000`,
          `sentinel failover-timeout ${this.primaryName} 10000`,
          `sentinel parallel-syncs ${this.primaryName} 1`,
          '',
        ].join('\n'),
      );
      this.sentinels.push(spawn('redis-sentinel', [file], { stdio: 'ignore' }));
    }
    // Ready once every Sentinel knows the primary and its replica.
    await waitFor('the Sentinels to know the primary and its replica', 30_000, async () => {
      const seen = await Promise.all(this.sentinelPorts.map((port) => this.ask(port, ['SENTINEL', 'REPLICAS', this.primaryName])));
      return seen.every((replicas) => Array.isArray(replicas) && replicas.length === 1);
    });
  }

  /** The port of the server the Sentinels now name as the primary. */
  async primaryPort(): Promise<number | null> {
    const address = (await this.ask(this.sentinelPorts[0], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.primaryName])) as string[] | null;
    return address ? Number(address[1]) : null;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.sentinels.map(
        (sentinel) =>
          new Promise((resolve) => {
            if (sentinel.exitCode !== null || sentinel.signalCode !== null) return resolve(null);
            sentinel.once('exit', resolve);
            sentinel.kill('SIGTERM');
          }),
      ),
    );
    for (const server of this.servers) await server.stop();
  }

  private async ask(port: number, command: string[]): Promise<unknown> {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call(command[0], ...command.slice(1));
    } catch {
      return null;
    } finally {
      client.disconnect();
    }
  }
}
