/**
 * REDIS_URL names either one Redis server or the Sentinels that watch a primary (docs/kubernetes.md):
 *
 *   redis://[[user]:password@]host:port/db           rediss://… with TLS
 *   redis+sentinel://[[user]:password@]host:port,host:port/<master name>[/<db>][?sentinelPassword=…]
 *   rediss+sentinel://…                               TLS to the Sentinels and the primary
 *
 * Parsed once, here, into a RedisAddress; every connection is made from that (libs/redis).
 */
export type RedisAddress = DirectRedisAddress | SentinelRedisAddress;

export interface DirectRedisAddress {
  kind: 'direct';
  url: string;
}

export interface SentinelRedisAddress {
  kind: 'sentinel';
  sentinels: { host: string; port: number }[];
  /** The name the Sentinels know the primary by. */
  name: string;
  db: number;
  username?: string;
  password?: string;
  /** For Sentinels that require a password of their own (`requirepass` in sentinel.conf). */
  sentinelPassword?: string;
  tls: boolean;
}

export const DEFAULT_SENTINEL_PORT = 26379;

const SENTINEL_URL = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)(?:\/([^/?#]*))?\/?(?:\?([^#]*))?$/;

/** Throws an Error whose message completes "REDIS_URL …" (the variable is named by the caller). */
export function parseRedisUrl(value: string): RedisAddress {
  if (/^rediss?\+sentinel:/i.test(value)) {
    return parseSentinelUrl(value);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('must be a URL with scheme redis, rediss, redis+sentinel or rediss+sentinel');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error('must be a URL with scheme redis, rediss, redis+sentinel or rediss+sentinel');
  }
  if (!url.hostname) {
    throw new Error('must name a host');
  }
  dbNumber(url.pathname.replace(/^\//, ''));
  return { kind: 'direct', url: value };
}

function parseSentinelUrl(value: string): SentinelRedisAddress {
  const match = SENTINEL_URL.exec(value);
  if (!match) {
    throw new Error('must be redis+sentinel://host:port,host:port/<master name>/<db>');
  }
  const [, scheme, userinfo, hostList, rawName, rawDb, query] = match;
  const sentinels = hostList.split(',').map((entry) => sentinelHost(entry.trim()));
  const name = decodeURIComponent(rawName);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
    throw new Error(`names the master "${name}": use letters, digits, ".", "_" or "-"`);
  }
  const address: SentinelRedisAddress = {
    kind: 'sentinel',
    sentinels,
    name,
    db: dbNumber(rawDb ?? ''),
    tls: scheme === 'rediss',
  };
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const password = colon < 0 ? '' : decodeURIComponent(userinfo.slice(colon + 1));
    if (colon < 0) {
      // redis://secret@host is how ioredis reads a bare password; keep that reading.
      address.password = username;
    } else {
      address.username = username || undefined;
      address.password = password || undefined;
    }
  }
  for (const [key, raw] of new URLSearchParams(query ?? '')) {
    if (key === 'sentinelPassword') {
      address.sentinelPassword = raw;
    } else {
      throw new Error(`has the unknown parameter "${key}" (only sentinelPassword is read)`);
    }
  }
  return address;
}

function sentinelHost(entry: string): { host: string; port: number } {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!match) {
    throw new Error(`names the Sentinel "${entry}": expected host or host:port`);
  }
  const port = match[2] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[2]);
  if (port < 1 || port > 65535) {
    throw new Error(`names the Sentinel "${entry}": the port must be 1-65535`);
  }
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function dbNumber(raw: string): number {
  if (raw === '') {
    return 0;
  }
  if (!/^\d{1,2}$/.test(raw)) {
    throw new Error(`names the database "${raw}": use a number from 0 to 15`);
  }
  return Number(raw);
}

/** The address with its passwords left out, for log lines and error messages. */
export function describeRedisAddress(address: RedisAddress): string {
  if (address.kind === 'direct') {
    try {
      const url = new URL(address.url);
      url.password = url.password ? '***' : '';
      return url.toString();
    } catch {
      return 'redis://(unparsable)';
    }
  }
  const hosts = address.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
  return `${address.tls ? 'rediss' : 'redis'}+sentinel://${hosts}/${address.name}/${address.db}`;
}
