import { loadConfig } from './load-config';
import { describeRedisAddress, parseRedisUrl } from './redis-address';

const required = { S3_ACCESS_KEY: 'ucupdates', S3_SECRET_KEY: 'secret-secret' };

describe('REDIS_URL', () => {
  it('keeps a plain redis:// or rediss:// URL as it is', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/3')).toEqual({ kind: 'direct', url: 'redis://127.0.0.1:6379/3' });
    expect(parseRedisUrl('rediss://:pw@redis.example:6380')).toEqual({ kind: 'direct', url: 'rediss://:pw@redis.example:6380' });
  });

  it('reads Sentinels, the primary name and the database', () => {
    expect(parseRedisUrl('redis+sentinel://s1:26379,s2:26380,10.0.0.3/mymaster/2')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: '10.0.0.3', port: 26379 },
      ],
      name: 'mymaster',
      db: 2,
      tls: false,
    });
  });

  it('reads passwords for the primary and the Sentinels, TLS, IPv6 and a missing database', () => {
    expect(parseRedisUrl('rediss+sentinel://app:p%40ss@[::1]:26379/primary?sentinelPassword=s3cret')).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: '::1', port: 26379 }],
      name: 'primary',
      db: 0,
      username: 'app',
      password: 'p@ss',
      sentinelPassword: 's3cret',
      tls: true,
    });
    expect(parseRedisUrl('redis+sentinel://:pw@s1/m/0')).toMatchObject({ password: 'pw', username: undefined });
  });

  it('is parsed once by loadConfig into the address every connection uses', () => {
    const config = loadConfig({ ...required, REDIS_URL: 'redis+sentinel://a:1,b:2/ucupdates/1' });
    expect(config.REDIS_URL).toMatchObject({ kind: 'sentinel', name: 'ucupdates', db: 1 });
    expect(loadConfig(required).REDIS_URL).toEqual({ kind: 'direct', url: 'redis://127.0.0.1:6379/0' });
  });

  it.each([
    ['http://redis:6379', /scheme redis, rediss, redis\+sentinel/],
    ['redis+sentinel://s1:26379', /master name/],
    ['redis+sentinel://s1:26379,/m/0', /names the Sentinel ""/],
    ['redis+sentinel://s1:99999/m/0', /port must be 1-65535/],
    ['redis+sentinel://s1/m/x', /names the database "x"/],
    ['redis+sentinel://s1/m/0?password=x', /unknown parameter "password"/],
    ['redis+sentinel://s1/m!/0', /names the master "m!"/],
  ])('refuses %s, naming REDIS_URL', (value, message) => {
    expect(() => loadConfig({ ...required, REDIS_URL: value })).toThrow(/^Invalid configuration:\n {2}REDIS_URL /);
    expect(() => parseRedisUrl(value)).toThrow(message);
  });

  it('never shows a password', () => {
    expect(describeRedisAddress(parseRedisUrl('redis+sentinel://:pw@s1/m/0?sentinelPassword=x'))).toBe('redis+sentinel://s1:26379/m/0');
    expect(describeRedisAddress(parseRedisUrl('redis://:pw@r:6379/0'))).toBe('redis://:***@r:6379/0');
    expect(() => loadConfig({ ...required, REDIS_URL: 'redis+sentinel://:hunter2@s1/m/x' })).toThrow(/:\*\*\*@/);
    expect(() => loadConfig({ ...required, REDIS_URL: 'redis+sentinel://:hunter2@s1/m/x' })).not.toThrow(/hunter2/);
  });
});
