import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A Postgres server of a test's own (its own cluster, port and socket directory), so the test
 * can stop and start it — a fault the shared server must not suffer. The machine's Postgres
 * binaries run it; as root, they run as the `postgres` user, as initdb requires. Its directory
 * lies in the system's temporary directory, not under the clone: the `postgres` user must reach
 * it, and a folder above the clone may be closed to others (docs/testing.md).
 */
export class PrivatePostgres {
  private readonly bin: string;
  private directory: string | null = null;

  constructor(
    /** Names its directory (ucupdates-<name>-XXXXXX in the temporary directory). */
    readonly name: string,
    readonly port: number,
  ) {
    const versions = readdirSync('/usr/lib/postgresql').sort();
    this.bin = join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
  }

  /** The cluster's directory (data, log, socket), made by init(). */
  get dir(): string {
    if (!this.directory) throw new Error(`the private Postgres ${this.name} has no directory before init()`);
    return this.directory;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A fresh cluster, started. */
  init(): void {
    this.remove();
    this.directory = mkdtempSync(join(traversableTemporaryDirectory(), `ucupdates-${this.name}-`));
    // mkdtemp makes it 0700; the postgres user owns it when we are root, and others need not enter.
    chmodSync(this.directory, 0o700);
    this.own(this.directory);
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

  /** Stops the server (if running) and removes its directory. */
  remove(): void {
    if (!this.directory) return;
    this.stop('immediate');
    rmSync(this.directory, { recursive: true, force: true });
    this.directory = null;
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

/**
 * The system's temporary directory, checked to be reachable by another user (every folder on
 * the way searchable by others), as the `postgres` user must reach the cluster in it.
 */
function traversableTemporaryDirectory(): string {
  const base = tmpdir();
  for (let dir = base; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(`${dir} is not searchable by other users, so the postgres user cannot reach ${base}: set TMPDIR to such a directory (e.g. /tmp)`);
    }
    if (dirname(dir) === dir) break;
  }
  accessSync(base, constants.W_OK);
  return base;
}
