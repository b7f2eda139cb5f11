import { hostname } from 'node:os';
import { isAbsolute } from 'node:path';
import { z } from 'zod';

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

/** A node id names queues, replica rows and log lines: keep it short and unambiguous. */
const nodeId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"');

export const databaseUrlSchema = url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/ucupdates');

const variables = z.object({
    // Services
    DATABASE_URL: databaseUrlSchema,
    REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379/0'),
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

    // The pool
    UCU_POOL_FQDN: z.string().min(1).default(hostname()),
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
    UCU_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 ** 3),
    UCU_MAX_PACKAGE_UNCOMPRESSED_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 ** 3),
    UCU_MAX_COMPRESSION_RATIO: z.coerce.number().min(1).default(1000),

    // Phones
    UCU_DOWNLOAD_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    UCU_DOWNLOAD_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
    UCU_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000).default(10),
    UCU_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),

    // The worker
    UCU_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    UCU_JOB_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    UCU_REQUEST_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});

export const configSchema = variables
  .refine((config) => config.UCU_NODE_DOWN_AFTER_MS > 2 * config.UCU_HEARTBEAT_INTERVAL_MS, {
    path: ['UCU_NODE_DOWN_AFTER_MS'],
    message: 'must be more than twice UCU_HEARTBEAT_INTERVAL_MS, or a node that misses one beat is reported down',
  })
  .refine((config) => config.UCU_INTERNAL_PORT !== config.UCU_EXTERNAL_PORT, {
    path: ['UCU_EXTERNAL_PORT'],
    message: 'must differ from UCU_INTERNAL_PORT: the external listener is a separate port',
  });

/** The name of every variable, for the documentation and docker-compose checks. */
export const configVariables: readonly string[] = Object.keys(variables.shape);

export type Config = z.output<typeof configSchema>;
