import { ConfigError, loadConfig } from './load-config';

const required = { S3_ACCESS_KEY: 'ucupdates', S3_SECRET_KEY: 'secret-secret' };

describe('loadConfig', () => {
  it('fills every default from an environment that names only the S3 credentials', () => {
    const config = loadConfig(required);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/ucupdates');
    expect(config.UCU_INTERNAL_PORT).toBe(8000);
    expect(config.UCU_ALLOW_UNSIGNED_UPDATES).toBe(false);
    expect(config.UCU_TRUSTED_PROXIES).toEqual(['127.0.0.0/8', '::1']);
    expect(config.UCU_NODE_ID).toMatch(/^[A-Za-z0-9]/);
  });

  it('coerces numbers and booleans from strings', () => {
    const config = loadConfig({ ...required, UCU_INTERNAL_PORT: '9100', UCU_ALLOW_UNSIGNED_UPDATES: 'true' });
    expect(config.UCU_INTERNAL_PORT).toBe(9100);
    expect(config.UCU_ALLOW_UNSIGNED_UPDATES).toBe(true);
  });

  it.each([
    ['UCU_INTERNAL_PORT', 'eighty'],
    ['UCU_INTERNAL_PORT', '70000'],
    ['UCU_ALLOW_UNSIGNED_UPDATES', 'maybe'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['UCU_NODE_ID', 'node/1'],
    ['UCU_REPLICA_DIR', 'relative/dir'],
    ['UCU_LOG_LEVEL', 'loud'],
  ])('stops on a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ ...required, [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name} `));
  });

  it('reports every bad variable at once', () => {
    const error = captureError(() => loadConfig({ UCU_INTERNAL_PORT: 'x' }));
    expect(error.message).toContain('S3_ACCESS_KEY (not set)');
    expect(error.message).toContain('S3_SECRET_KEY (not set)');
    expect(error.message).toContain('UCU_INTERNAL_PORT ("x")');
  });

  it('never echoes a secret', () => {
    const error = captureError(() => loadConfig({ ...required, UCU_BOOTSTRAP_ADMIN_TOKEN: 'short' }));
    expect(error.message).toContain('UCU_BOOTSTRAP_ADMIN_TOKEN (set)');
    expect(error.message).not.toContain('short');
  });

  it('refuses a down-after timeout that one missed heartbeat would trip', () => {
    expect(() =>
      loadConfig({ ...required, UCU_HEARTBEAT_INTERVAL_MS: '5000', UCU_NODE_DOWN_AFTER_MS: '8000' }),
    ).toThrow(/UCU_NODE_DOWN_AFTER_MS \("8000"\): must be more than twice/);
  });

  it('refuses the same port for both listeners', () => {
    expect(() => loadConfig({ ...required, UCU_INTERNAL_PORT: '8000', UCU_EXTERNAL_PORT: '8000' })).toThrow(
      /UCU_EXTERNAL_PORT/,
    );
  });
});

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected an error');
}
