import { resolve } from 'node:path';
import type { Config } from '@ucupdates/config';
import request from 'supertest';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/harness';
import { TEST_DIRECTORY, TestDirectory } from '../support/test-directory';
import { suiteResources, testConfig, testServices } from '../support/test-environment';

const ADMIN = 'directory-admin-token-0123456789';
const suite = suiteResources(__filename);
const { users } = TEST_DIRECTORY;

jest.setTimeout(60_000);

const CHECK =
  '<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>00-04-F2-DD-00-01</MacAddress>' +
  '<SerialNumber></SerialNumber><Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale>' +
  '<Modules></Modules></Request>';

const basic = (userId: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${userId}:${password}`, 'utf8').toString('base64')}` });

/**
 * Phones on the external listener signing in against Debian's slapd (LDAPS, the test PKI), with
 * the built-in table after it (UCU_PHONE_DIRECTORIES=ldap,table); the directory stopped under
 * phone load and started again.
 */
describe('phone sign-in against the directory', () => {
  let slapd: TestDirectory;
  let config: Config;
  let frontend: Frontend;
  let address = 0;
  const run = Date.now().toString(36);
  /** Each test its own client address: the throttle counts per address too. */
  const nextAddress = () => `198.51.100.${++address}`;
  const check = (credentials: Record<string, string>, from: string) =>
    request(frontend.external.getHttpServer())
      .post('/RequestHandlerExt/ucdevice.upx')
      .set('Content-Type', 'text/xml')
      .set('X-Forwarded-For', from)
      .set(credentials)
      .send(CHECK);

  beforeAll(async () => {
    slapd = new TestDirectory(resolve(testServices.stateDir, 'directory-sign-in-int'), suite.port(190));
    await slapd.start();
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_PHONE_DIRECTORIES: 'ldap,table',
      UCU_LDAP_RETRY_AFTER_SECONDS: '7',
      UCU_LDAP_TIMEOUT_MS: '2000',
      UCU_LDAP_CONNECT_TIMEOUT_MS: '1000',
      ...slapd.environment(),
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
  });

  afterAll(async () => {
    await frontend?.close();
    await slapd?.stop();
  });

  it('lets a phone in with its directory password, and answers its check', async () => {
    const response = await check(basic(users.alice.userId, users.alice.password), nextAddress()).expect(200);
    expect(response.text).toContain('<Response');
  });

  it('refuses a wrong password and an unknown user 401 AccessDenied', async () => {
    const from = nextAddress();
    for (const credentials of [basic(users.alice.userId, users.bob.password), basic(`sip:nobody-${run}@ucupdates.test`, 'whatever')]) {
      const response = await check(credentials, from).expect(401);
      expect(response.text).toContain('AccessDenied');
      expect(response.headers['www-authenticate']).toBe('Basic realm="ucupdates"');
    }
  });

  it('asks the built-in table after the directory', async () => {
    await request(frontend.internal.getHttpServer())
      .post('/api/v1/phone-users')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ userId: 'sip:lab-phone@ucupdates.test', password: 'table-password' })
      .expect(201);
    await check(basic('sip:lab-phone@ucupdates.test', 'table-password'), nextAddress()).expect(200);
  });

  it('throttles ten wrong tries of a user: 429 with Retry-After, even for the right password', async () => {
    const from = nextAddress();
    for (let attempt = 0; attempt < 10; attempt++) {
      await check(basic(users.bob.userId, `wrong-${attempt}`), from).expect(401);
    }
    const throttled = await check(basic(users.bob.userId, users.bob.password), from).expect(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it.each([
    ['a wildcard', 'sip:al*@ucupdates.test'],
    ['a bare wildcard', 'sip:*'],
    ['a second condition', 'sip:alice@ucupdates.test)(mail=*'],
    ['an escape of its own', 'sip:al\\69ce@ucupdates.test'],
    ['a NUL', 'sip:alice@ucupdates.test\u0000'],
    ['non-ASCII', 'sip:\u0430lice@ucupdates.test'],
  ])('never lets %s in with alice\'s password (LDAP injection)', async (_name, userId) => {
    const response = await check(basic(userId, users.alice.password), nextAddress()).expect(401);
    expect(response.text).toContain('AccessDenied');
  });

  it('finds the user whose SIP address holds ( ) *, by exactly that address', async () => {
    await check(basic(users.obrien.userId, users.obrien.password), nextAddress()).expect(200);
  });

  it('answers 503 with Retry-After while slapd is stopped under phone load, never 401, counts no failure, and recovers', async () => {
    const from = nextAddress();
    const statuses = new Map<number, number>();
    const aliceStatuses = new Set<number>();
    const missingRetryAfter: number[] = [];
    let loading = true;
    // Eight phones checking in a loop: alice with the right password, vera with a wrong one.
    const load = Array.from({ length: 8 }, async (_, phone) => {
      while (loading) {
        const credentials = phone % 2 === 0 ? basic(users.alice.userId, users.alice.password) : basic(users.vera.userId, 'wrong');
        const response = await check(credentials, phone % 2 === 0 ? from : nextAddress());
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (phone % 2 === 0) aliceStatuses.add(response.status);
        if (response.status === 503 && response.headers['retry-after'] !== '7') missingRetryAfter.push(response.status);
      }
    });
    await new Promise((done) => setTimeout(done, 500));
    await slapd.stop();
    try {
      const outage = Date.now();
      for (let attempt = 0; attempt < 12; attempt++) {
        // More wrong tries than the limit: none is counted, as the directory said nothing.
        const response = await check(basic(users.adam.userId, 'not-his'), from);
        expect([response.status, response.text]).toEqual([503, expect.stringContaining('ServiceUnavailable')]);
        expect(response.headers['retry-after']).toBe('7');
      }
      expect(Date.now() - outage).toBeLessThan(5_000);
      const ready = await request(frontend.internal.getHttpServer()).get('/readyz').expect(200);
      expect(ready.body.checks.directory).toMatchObject({ state: 'unavailable', error: expect.any(String) });
    } finally {
      await slapd.start();
    }
    // Back without restarting anything: within the directory's one-second retry interval.
    const back = Date.now();
    while ((await check(basic(users.adam.userId, users.adam.password), from)).status !== 200) {
      expect(Date.now() - back).toBeLessThan(10_000);
      await new Promise((done) => setTimeout(done, 200));
    }
    loading = false;
    await Promise.all(load);
    const ready = await request(frontend.internal.getHttpServer()).get('/readyz').expect(200);
    expect(ready.body.checks.directory).toMatchObject({ state: 'up' });
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect(statuses.get(200)).toBeGreaterThan(0);
    // alice was never refused nor throttled (adam's tries from her address counted for nothing);
    // nothing but vera's refusals and throttling, and 503, was anything but 200.
    expect([...aliceStatuses].sort()).toEqual([200, 503]);
    expect([...statuses.keys()].filter((status) => ![200, 401, 429, 503].includes(status))).toEqual([]);
    expect(missingRetryAfter).toEqual([]);
  });
});
