import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { describeRedisAddress, type RedisAddress } from '@ucupdates/config';
import { Redis } from 'ioredis';

/**
 * What the Sentinels of REDIS_URL say at start-up. A configuration mistake is told apart from an
 * outage: no Sentinel host name resolves, or the Sentinels that answer know no primary by that
 * name — those are mistakes, and `problem` says which. Sentinels that do not answer are an outage:
 * the process starts and its connections wait for them (docs/kubernetes.md).
 */
export async function checkSentinels(address: RedisAddress, timeoutMs = 3_000): Promise<{ problem: string | null }> {
  if (address.kind !== 'sentinel') {
    return { problem: null };
  }
  const unresolved: string[] = [];
  let answered = 0;
  let known = 0;
  for (const sentinel of address.sentinels) {
    if (!isIP(sentinel.host)) {
      try {
        await lookup(sentinel.host);
      } catch {
        unresolved.push(sentinel.host);
        continue;
      }
    }
    const client = new Redis({
      host: sentinel.host,
      port: sentinel.port,
      password: address.sentinelPassword,
      tls: address.tls ? {} : undefined,
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableReadyCheck: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const reply = (await client.call('SENTINEL', 'get-master-addr-by-name', address.name)) as string[] | null;
      answered++;
      if (reply && reply.length === 2) {
        known++;
      }
    } catch {
      // Not answering: an outage, not a mistake in REDIS_URL.
    } finally {
      client.disconnect();
    }
  }
  if (unresolved.length === address.sentinels.length) {
    return { problem: `no Sentinel host name resolves (${unresolved.join(', ')})` };
  }
  if (answered > 0 && known === 0) {
    return { problem: `the Sentinels that answered know no primary named "${address.name}"` };
  }
  return { problem: null };
}

/**
 * For the apps' main(): a REDIS_URL whose Sentinels cannot be found, or that names a primary they
 * do not know, stops the process with exit code 78 (EX_CONFIG), as any bad variable does.
 */
export async function exitOnSentinelMistake(address: RedisAddress): Promise<void> {
  const { problem } = await checkSentinels(address);
  if (problem) {
    process.stderr.write(`Invalid configuration:\n  REDIS_URL (${describeRedisAddress(address)}): ${problem}\n`);
    process.exit(78);
  }
}
