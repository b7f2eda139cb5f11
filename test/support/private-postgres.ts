import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Postgres server of a test's own (its own cluster, port and socket directory), so the test
 * can stop and start it — a fault the shared server must not suffer. The machine's Postgres
 * binaries run it; as root, they run as the `postgres` user, as initdb requires.
 */
export class PrivatePostgres {
  private readonly bin: string;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    const versions = readdirSync('/usr/lib/postgresql').sort();
    this.bin = join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A fresh cluster, started. */
  init(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.own(this.dir);
    this.run('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    this.start();
  }

  start(): void {
    this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'postgres.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ]);
  }

  /** `fast` ends every session at once (what an outage looks like to the apps). */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
    }
  }

  createDatabase(name: string): void {
    this.run('psql', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-c', `CREATE DATABASE "${name}"`]);
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private run(program: string, args: string[]): void {
    const command = join(this.bin, program);
    const asPostgres = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(asPostgres[0] as string, asPostgres[1] as string[], { stdio: 'pipe', cwd: '/tmp' });
  }

  private own(path: string): void {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(path, uid, gid);
    }
  }
}
