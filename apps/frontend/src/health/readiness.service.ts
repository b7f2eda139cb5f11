import { Inject, Injectable } from '@nestjs/common';
import { HealthRepository } from '@ucupdates/database';
import { ObjectStorage } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import type { DirectoryState } from '@ucupdates/directory';
import { PoolStateService } from '../devices/pool-state/pool-state.service';
import { DirectoryConnection } from '../directory/directory-connection';

export type CheckState = 'up' | 'down';

export interface Readiness {
  ready: boolean;
  checks: Record<'postgres' | 'redis' | 'storage', { state: CheckState; error?: string }> & {
    /** The in-memory rules, test devices and configuration; `digest` is equal on nodes that agree. */
    cache: { state: CheckState; loadedAt?: string; digest?: string };
    /**
     * The LDAP directory, when one is configured. Shown, but not part of `ready`: a node without
     * its directory still serves internal phones and signed-in downloads, and taking every node
     * out of the load balancer because the directory is away would stop those too.
     */
    directory?: { state: DirectoryState; since: string; error?: string };
  };
}

const CHECK_TIMEOUT_MS = 2_000;

/** Whether this node can do its work: Postgres, Redis and the object store answer, its caches are loaded. */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(HealthRepository) private readonly database: HealthRepository,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
    @Inject(DirectoryConnection) private readonly directory: DirectoryConnection,
  ) {}

  async check(): Promise<Readiness> {
    const [postgres, redis, storage, directory] = await Promise.all([
      probe(() => this.database.ping()),
      probe(() => this.redis.ping()),
      probe(() => this.storage.ping()),
      this.directory.ldap?.probe(),
    ]);
    const state = this.poolState.current;
    const cache = state
      ? { state: 'up' as const, loadedAt: state.loadedAt.toISOString(), digest: state.digest }
      : { state: 'down' as const };
    return {
      ready: [postgres, redis, storage, cache].every((check) => check.state === 'up'),
      checks: {
        postgres,
        redis,
        storage,
        cache,
        ...(directory && { directory: { state: directory.state, since: directory.since.toISOString(), error: directory.error } }),
      },
    };
  }
}

async function probe(check: () => Promise<unknown>): Promise<{ state: CheckState; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { state: 'up' };
  } catch (error) {
    return { state: 'down', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
