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
    ['UCU_INTERNAL_BASE_URL', 'pool01.contoso.com'],
    ['UCU_INTERNAL_BASE_URL', 'ftp://pool01.contoso.com'],
    ['UCU_EXTERNAL_BASE_URL', 'https://user:pw@ext.contoso.com'],
    ['UCU_EXTERNAL_BASE_URL', 'https://ext.contoso.com/?x=1'],
    ['UCU_EXTERNAL_BASE_URL', 'https://ext.contoso.com/#top'],
  ])('stops on a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ ...required, [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name} `));
  });

  it('takes the pool\'s web addresses without their trailing slash, and none by default', () => {
    expect(loadConfig(required).UCU_INTERNAL_BASE_URL).toBeUndefined();
    const config = loadConfig({
      ...required,
      UCU_INTERNAL_BASE_URL: 'http://pool01.contoso.com/',
      UCU_EXTERNAL_BASE_URL: 'https://ocsrp.fabrikam.com:4443/ucu',
    });
    expect(config.UCU_INTERNAL_BASE_URL).toBe('http://pool01.contoso.com');
    expect(config.UCU_EXTERNAL_BASE_URL).toBe('https://ocsrp.fabrikam.com:4443/ucu');
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

describe('loadConfig: the directory', () => {
  const directory = {
    ...required,
    UCU_PHONE_DIRECTORIES: 'ldap,table',
    UCU_LDAP_URL: 'ldaps://dc.contoso.com',
    UCU_LDAP_BIND_DN: 'cn=ucupdates,ou=services,dc=contoso,dc=com',
    UCU_LDAP_BIND_PASSWORD: 'service-secret',
    UCU_LDAP_BASE_DN: 'dc=contoso,dc=com',
  };

  it('uses the built-in table alone by default, and takes an order of both', () => {
    expect(loadConfig(required).UCU_PHONE_DIRECTORIES).toEqual(['table']);
    const config = loadConfig(directory);
    expect(config.UCU_PHONE_DIRECTORIES).toEqual(['ldap', 'table']);
    expect(config.UCU_LDAP_USER_FILTER).toBe('(mail={user})');
  });

  it.each([
    [{ UCU_PHONE_DIRECTORIES: 'ldap,ldap' }, 'UCU_PHONE_DIRECTORIES'],
    [{ UCU_PHONE_DIRECTORIES: 'ad' }, 'UCU_PHONE_DIRECTORIES'],
    [{ UCU_LDAP_URL: 'http://dc.contoso.com' }, 'UCU_LDAP_URL'],
    [{ UCU_LDAP_URL: 'ldap://dc.contoso.com' }, 'UCU_LDAP_URL'],
    [{ UCU_LDAP_URL: 'ldaps://dc.contoso.com', UCU_LDAP_STARTTLS: 'true' }, 'UCU_LDAP_STARTTLS'],
    [{ UCU_LDAP_BASE_DN: undefined }, 'UCU_LDAP_BASE_DN'],
    [{ UCU_LDAP_BIND_PASSWORD: undefined }, 'UCU_LDAP_BIND_PASSWORD'],
    [{ UCU_LDAP_BIND_PASSWORD_FILE: '/nonexistent/password' }, 'UCU_LDAP_BIND_PASSWORD_FILE'],
    [{ UCU_LDAP_USER_FILTER: '(mail=alice)' }, 'UCU_LDAP_USER_FILTER'],
    [{ UCU_LDAP_USER_FILTER: 'mail={user}' }, 'UCU_LDAP_USER_FILTER'],
    [{ UCU_LDAP_ADMIN_GROUP_DN: 'admins' }, 'UCU_LDAP_ADMIN_GROUP_DN'],
    [{ UCU_LDAP_CA_FILE: 'ca.pem' }, 'UCU_LDAP_CA_FILE'],
  ])('refuses %j, naming %s', (changes, name) => {
    expect(() => loadConfig({ ...directory, ...changes })).toThrow(new RegExp(`\\n  ${name} `));
  });

  it('accepts ldap:// with StartTLS, and never echoes the service password', () => {
    expect(loadConfig({ ...directory, UCU_LDAP_URL: 'ldap://dc.contoso.com', UCU_LDAP_STARTTLS: 'true' }).UCU_LDAP_STARTTLS).toBe(true);
    const error = captureError(() => loadConfig({ ...directory, UCU_LDAP_BIND_PASSWORD: 'service-secret', UCU_LDAP_URL: 'ldap://x' }));
    expect(error.message).not.toContain('service-secret');
  });

  it('asks for the directory settings when only a group is set', () => {
    const error = captureError(() => loadConfig({ ...required, UCU_LDAP_OPERATOR_GROUP_DN: 'cn=operators,dc=contoso,dc=com' }));
    expect(error.message).toContain('UCU_LDAP_URL (not set)');
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
