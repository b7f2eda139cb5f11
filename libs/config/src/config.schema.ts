import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { parseRedisUrl, type RedisAddress } from './redis-address';
import { NODE_ID_FORM, NODE_ID_PATTERN } from '@ucupdates/admin-api';

// Every environment variable ucupdates reads, in one place. README.md lists each one with its
// default; test/integration/config-docs.int-spec.ts keeps the two in step.

const port = z.coerce.number().int().min(1).max(65535);
const milliseconds = z.coerce.number().int().min(10);
const bool = z.stringbool({ truthy: ['true', '1', 'yes'], falsy: ['false', '0', 'no'] });
const url = (protocols: string[]) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `must be a URL with scheme ${protocols.join(' or ')}`,
  });

const absolutePath = z.string().refine((value) => isAbsolute(value), 'must be an absolute path');

/**
 * Hours of the node's local day in which the replica store's scrub reads, `from-to` (`1-6`: from
 * 01:00 to 06:00; `22-4` runs over midnight).
 */
const scrubHours = z
  .string()
  .regex(/^\d{1,2}-\d{1,2}$/, 'must be hours of the day as from-to, e.g. 1-6')
  .transform((value, context) => {
    const [from, to] = value.split('-').map(Number);
    if (from > 23 || to > 24 || from === to % 24) {
      context.addIssue({ code: 'custom', message: 'must be two different hours, from 0-23 to 1-24' });
      return z.NEVER;
    }
    return { from, to: to % 24 };
  });

/** An LDAP distinguished name: `attribute=value` pairs separated by commas (docs/directory.md). */
const distinguishedName = z
  .string()
  .max(1024)
  .regex(/^[A-Za-z][\w-]*=[^,]+(,\s*[A-Za-z][\w-]*=[^,]+)*$/, 'must be a distinguished name (e.g. "cn=admins,ou=groups,dc=contoso,dc=com")');

/** A search filter with one placeholder at least: `{user}` or `{userId}` (docs/directory.md). */
const searchFilter = z
  .string()
  .max(1024)
  .regex(/^\(.*\)$/s, 'must be an LDAP filter in parentheses')
  .refine((value) => /\{(user|userId)\}/.test(value), 'must hold {user} or {userId}, where the signing-in user goes');

/** Where phones' credentials are checked, in order: the built-in table, the LDAP directory. */
const phoneDirectories = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim().toLowerCase()))
  .pipe(
    z
      .array(z.enum(['table', 'ldap'], { error: 'must be a list of "table" and "ldap"' }))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'names a directory twice'),
  );

/**
 * Where phones reach the pool's file store from inside or outside (Lync's internal and external
 * web services): `http(s)://host[:port][/path]`, no credentials, query or fragment; a trailing
 * slash is dropped, so `<value>/DeviceUpdateFiles_Int/…` has one slash.
 */
const webAddress = url(['http', 'https'])
  .refine((value) => {
    // zod runs this even after the URL check failed.
    if (!URL.canParse(value)) return false;
    const { username, password } = new URL(value);
    return username === '' && password === '' && !value.includes('?') && !value.includes('#');
  }, 'must be an http or https address without credentials, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

/** A node id names queues, replica rows and log lines: keep it short and unambiguous. */
const nodeId = z.string().regex(NODE_ID_PATTERN, `must be ${NODE_ID_FORM}`);

export const databaseUrlSchema = url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/ucupdates');

const variables = z.object({
    // Services
    DATABASE_URL: databaseUrlSchema,
    // One Redis, or Sentinels and the name of the primary they watch (redis-address.ts).
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379/0')
      .transform((value, context): RedisAddress => {
        try {
          return parseRedisUrl(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    S3_ENDPOINT: url(['http', 'https']).default('http://127.0.0.1:9000'),
    S3_ACCESS_KEY: z.string().min(3, 'is required (the S3/MinIO access key)'),
    S3_SECRET_KEY: z.string().min(8, 'is required (the S3/MinIO secret key, 8 characters or more)'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
      .default('ucupdates'),
    S3_REGION: z.string().min(1).default('us-east-1'),

    // The node
    UCU_NODE_ID: nodeId.default(() => hostname().split('.')[0].slice(0, 63) || 'node'),
    UCU_NODE_URL: url(['http', 'https']).optional(),
    UCU_REPLICA_DIR: z
      .string()
      .refine((value) => isAbsolute(value), 'must be an absolute path')
      .default('/var/lib/ucupdates/replica'),
    UCU_AUDIT_JOURNAL_DIR: z
      .string()
      .refine((value) => isAbsolute(value), 'must be an absolute path')
      .default('/var/lib/ucupdates/audit-journal'),
    UCU_AUDIT_JOURNAL_MAX_MB: z.coerce.number().int().min(8).max(1_048_576).default(1024),
    UCU_AUDIT_LOG_DIR: z
      .string()
      .refine((value) => isAbsolute(value), 'must be an absolute path')
      .optional(),
    UCU_LISTEN_HOST: z.string().min(1).default('0.0.0.0'),
    UCU_INTERNAL_PORT: port.default(8000),
    UCU_EXTERNAL_PORT: port.default(8001),
    UCU_TRUSTED_PROXIES: z
      .string()
      .default('127.0.0.0/8,::1')
      .transform((value) =>
        value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      ),
    UCU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    UCU_HEARTBEAT_INTERVAL_MS: milliseconds.default(5_000),
    UCU_NODE_DOWN_AFTER_MS: milliseconds.default(15_000),
    UCU_SHUTDOWN_TIMEOUT_MS: milliseconds.default(10_000),
    UCU_CACHE_REFRESH_INTERVAL_MS: milliseconds.default(30_000),
    UCU_CHANGE_CONFIRM_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),

    // The pool
    UCU_POOL_FQDN: z.string().min(1).default(hostname()),
    UCU_INTERNAL_BASE_URL: webAddress.optional(),
    UCU_EXTERNAL_BASE_URL: webAddress.optional(),
    UCU_SITE: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be a site name (letters, digits, ".", "_" or "-")')
      .optional(),
    UCU_BOOTSTRAP_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    UCU_TRUSTED_CA_FILE: z
      .string()
      .refine((value) => isAbsolute(value), 'must be an absolute path')
      .optional(),
    UCU_ALLOW_UNSIGNED_UPDATES: bool.default(false),
    // A cabinet of content up to the uncompressed limit's 2 GiB, with its framing (decision 66).
    UCU_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 ** 3 + 64 * 1024 ** 2),
    UCU_MAX_PACKAGE_UNCOMPRESSED_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 ** 3),
    UCU_MAX_COMPRESSION_RATIO: z.coerce.number().min(1).default(1000),

    // Phones
    UCU_DOWNLOAD_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    UCU_DOWNLOAD_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
    UCU_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000).default(10),
    UCU_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    UCU_PHONE_DIRECTORIES: phoneDirectories.default(['table']),

    // DDI devices (docs/ddi.md)
    UCU_DDI_TENANT: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a tenant name: 1-64 letters, digits, "_" or "-"')
      .default('DEFAULT'),
    UCU_DDI_GATEWAY_TOKEN: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
    UCU_DDI_ANONYMOUS_INTERNAL: bool.default(false),

    // The LDAP directory (docs/directory.md)
    UCU_LDAP_URL: url(['ldap', 'ldaps']).optional(),
    UCU_LDAP_STARTTLS: bool.default(false),
    UCU_LDAP_CA_FILE: absolutePath.optional(),
    UCU_LDAP_BIND_DN: distinguishedName.optional(),
    UCU_LDAP_BIND_PASSWORD: z.string().min(1).max(1024).optional(),
    UCU_LDAP_BIND_PASSWORD_FILE: absolutePath
      .transform((path, context) => {
        try {
          return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
        } catch (error) {
          context.addIssue({ code: 'custom', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
          return z.NEVER;
        }
      })
      .optional(),
    UCU_LDAP_BASE_DN: distinguishedName.optional(),
    UCU_LDAP_USER_FILTER: searchFilter.default('(mail={user})'),
    UCU_LDAP_ADMIN_USER_FILTER: searchFilter.default('(uid={user})'),
    UCU_LDAP_ADMIN_GROUP_DN: distinguishedName.optional(),
    UCU_LDAP_OPERATOR_GROUP_DN: distinguishedName.optional(),
    UCU_LDAP_VIEWER_GROUP_DN: distinguishedName.optional(),
    UCU_LDAP_POOL_SIZE: z.coerce.number().int().min(1).max(64).default(4),
    UCU_LDAP_CONNECT_TIMEOUT_MS: milliseconds.max(60_000).default(3_000),
    UCU_LDAP_TIMEOUT_MS: milliseconds.max(60_000).default(5_000),
    UCU_LDAP_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
    UCU_LDAP_ROLE_RECHECK_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),

    // The worker
    UCU_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    UCU_JOB_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    UCU_REQUEST_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    UCU_RETIRED_VERSION_GRACE_SECONDS: z.coerce.number().int().min(0).max(7 * 24 * 3600).default(3600),
    // The scrub of the replica store (docs/replication.md): unset, a full pass in a day's scrub hours.
    UCU_SCRUB_RATE_MB_S: z.coerce.number().min(0).max(10_000).optional(),
    UCU_SCRUB_HOURS: scrubHours.optional(),
});

export const configSchema = variables
  .refine((config) => config.UCU_NODE_DOWN_AFTER_MS > 2 * config.UCU_HEARTBEAT_INTERVAL_MS, {
    path: ['UCU_NODE_DOWN_AFTER_MS'],
    message: 'must be more than twice UCU_HEARTBEAT_INTERVAL_MS, or a node that misses one beat is reported down',
  })
  .refine((config) => config.UCU_INTERNAL_PORT !== config.UCU_EXTERNAL_PORT, {
    path: ['UCU_EXTERNAL_PORT'],
    message: 'must differ from UCU_INTERNAL_PORT: the external listener is a separate port',
  })
  .superRefine((config, context) => {
    const groups = [config.UCU_LDAP_ADMIN_GROUP_DN, config.UCU_LDAP_OPERATOR_GROUP_DN, config.UCU_LDAP_VIEWER_GROUP_DN];
    const wanted = config.UCU_PHONE_DIRECTORIES.includes('ldap') || groups.some(Boolean) || config.UCU_LDAP_URL !== undefined;
    if (!wanted) return;
    const problem = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
    for (const name of ['UCU_LDAP_URL', 'UCU_LDAP_BASE_DN', 'UCU_LDAP_BIND_DN'] as const) {
      if (config[name] === undefined) problem(name, 'is required when a directory is used (UCU_PHONE_DIRECTORIES names ldap, or a group DN is set)');
    }
    if ((config.UCU_LDAP_BIND_PASSWORD === undefined) === (config.UCU_LDAP_BIND_PASSWORD_FILE === undefined)) {
      problem('UCU_LDAP_BIND_PASSWORD', 'set it or UCU_LDAP_BIND_PASSWORD_FILE (one of them) when a directory is used');
    }
    if (config.UCU_LDAP_URL?.startsWith('ldap:') && !config.UCU_LDAP_STARTTLS) {
      problem('UCU_LDAP_URL', 'ldap:// would send passwords in clear: use ldaps:// or set UCU_LDAP_STARTTLS=true');
    }
    if (config.UCU_LDAP_URL?.startsWith('ldaps:') && config.UCU_LDAP_STARTTLS) {
      problem('UCU_LDAP_STARTTLS', 'StartTLS is for ldap:// URLs; an ldaps:// connection is TLS already');
    }
  });

/** The name of every variable, for the documentation and docker-compose checks. */
export const configVariables: readonly string[] = Object.keys(variables.shape);

export type Config = z.output<typeof configSchema>;
