import { parseOptions } from './options';

describe('ucupdates-sim options', () => {
  it('has defaults per mode', () => {
    expect(parseOptions(['storm', '--url', 'http://127.0.0.1:8080/'])).toMatchObject({ mode: 'storm', url: 'http://127.0.0.1:8080', phones: 1000, withinSeconds: 60, intervalSeconds: 3600, downloads: true, durationSeconds: null });
    expect(parseOptions(['rollout', '--url', 'http://h'])).toMatchObject({ withinSeconds: 10, intervalSeconds: 60 });
    expect(parseOptions(['steady', '--url', 'http://h'])).toMatchObject({ durationSeconds: 60 });
  });

  it('turns a steady rate into the interval', () => {
    expect(parseOptions(['steady', '--url', 'http://h', '--phones', '6000', '--rate', '100']).intervalSeconds).toBe(60);
    expect(() => parseOptions(['steady', '--url', 'http://h', '--rate', '100', '--interval', '5'])).toThrow('not both');
  });

  it('reads every kind of option', () => {
    const options = parseOptions([
      'storm', '--url', 'http://h', '--external-url', 'https://e:8081', '--phones', '80000', '--within', '60', '--seed', '9',
      '--external', '0.1', '--password', 'secret-pw', '--no-downloads', '--sign-in-delay', '0', '--groups', '4', '--sockets', '8',
      '--json', '--quiet', '--request-ids', '/tmp/ids', '--mix', 'Polycom/CX600/A/ENU', '--installed', 'CPE=1.0', '--backoff-base-ms', '50',
      '--backoff-cap-ms', '500', '--log-chance', '0', '--timeout-ms', '5000',
    ]);
    expect(options).toMatchObject({
      externalUrl: 'https://e:8081', phones: 80_000, seed: 9, externalShare: 0.1, password: 'secret-pw', downloads: false, signInDelaySeconds: 0,
      groups: 4, socketsPerGroup: 8, json: true, quiet: true, requestIdsFile: '/tmp/ids', backoff: { baseMs: 50, capMs: 500 }, logChance: 0,
      requestTimeoutMs: 5000, installed: { CPE: [{ version: '1.0', weight: 1 }] },
    });
  });

  it('refuses what makes no sense, saying why', () => {
    expect(() => parseOptions(['boom'])).toThrow('mode');
    expect(() => parseOptions(['storm'])).toThrow('--url is required');
    expect(() => parseOptions(['storm', '--url', 'ftp://h'])).toThrow('http');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--phones', '0'])).toThrow('--phones');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--external', '0.5'])).toThrow('--external-url and --password');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--frobnicate'])).toThrow('unknown option');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--mix', 'x'])).toThrow('--mix');
  });

  it('--ddi: DDI defaults, one kind of token, the DDI options only with it', () => {
    expect(parseOptions(['rollout', '--url', 'http://h', '--ddi', '--admin-token', 'adm'])).toMatchObject({
      ddi: { enabled: true, tenant: 'DEFAULT', adminToken: 'adm', gatewayToken: null }, signedInShare: 0, serialOnlyShare: 0,
      mix: [{ brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral' }], installed: { os: [{ version: '1.0.0', weight: 1 }] },
    });
    expect(parseOptions(['storm', '--url', 'http://h', '--ddi', '--gateway-token', 'g', '--tenant', 'T1', '--installed', 'os=2.0']).ddi).toMatchObject({ tenant: 'T1', gatewayToken: 'g' });
    expect(() => parseOptions(['storm', '--url', 'http://h', '--gateway-token', 'g'])).toThrow('for --ddi');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--ddi', '--gateway-token', 'g', '--admin-token', 'a'])).toThrow('not both');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--ddi', '--external', '0.5', '--external-url', 'https://e'])).toThrow('a token');
    expect(() => parseOptions(['storm', '--url', 'http://h', '--ddi', '--tenant', 'a/b'])).toThrow('--tenant');
  });
});
