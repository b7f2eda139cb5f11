import { resolve } from 'node:path';
import type { Config } from '@ucupdates/config';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/harness';
import { TEST_DIRECTORY, TestDirectory } from '../support/test-directory';
import { suiteResources, testConfig, testServices } from '../support/test-environment';

const ADMIN = 'directory-admins-token-0123456789';
const suite = suiteResources(__filename);
const { users, groups } = TEST_DIRECTORY;
const dnOf = (uid: string) => `uid=${uid},ou=people,dc=ucupdates,dc=test`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

jest.setTimeout(60_000);

/**
 * Control-panel sign-in with directory accounts: roles from groups, the audit's actor, wrong
 * passwords throttled, the directory away, a user taken out of a group mid-session.
 */
describe('administrators from the directory', () => {
  let slapd: TestDirectory;
  let config: Config;
  let frontend: Frontend;
  let address = 0;
  /** A client address of its own (X-Forwarded-For, from a trusted proxy): the throttle counts per address. */
  const nextAddress = () => `198.51.100.${++address}`;
  const api = () => request(frontend.internal.getHttpServer());
  const signIn = (user: string, password: string, from = '127.0.0.1') =>
    api().post('/api/v1/session').set('X-Forwarded-For', from).send({ user, password });
  const session = async (user: string, password: string) => {
    const answer = await signIn(user, password).expect(201);
    const cookie = String(([] as string[]).concat(answer.headers['set-cookie'] ?? [])[0]).split(';')[0];
    return { cookie, csrf: answer.body.csrfToken as string, body: answer.body };
  };

  beforeAll(async () => {
    slapd = new TestDirectory(resolve(testServices.stateDir, 'directory-admin-int'), suite.port(190));
    await slapd.start();
    const redis = new Redis(suite.redisUrl);
    await redis.flushdb(); // no failures counted by an earlier run
    await redis.quit();
    // StartTLS this time (the phone suite uses LDAPS). Roles are asked again after a second.
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_LDAP_ROLE_RECHECK_SECONDS: '1',
      ...slapd.environment({ UCU_LDAP_URL: slapd.startTlsUrl, UCU_LDAP_STARTTLS: 'true', UCU_LDAP_RETRY_AFTER_SECONDS: '5' }),
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
  });

  afterAll(async () => {
    await frontend?.close();
    await slapd?.stop();
  });

  it('signs an operator in: the role from the group, approving-level changes allowed, the configuration not', async () => {
    const { cookie, csrf, body } = await session(users.olga.uid, users.olga.password);
    expect(body).toEqual({ name: 'ldap:olga', role: 'operator', via: 'session', csrfToken: expect.any(String) });
    expect((await api().get('/api/v1/session').set('Cookie', cookie).expect(200)).body).toMatchObject({ name: 'ldap:olga', role: 'operator' });
    await api()
      .post('/api/v1/test-devices')
      .set({ Cookie: cookie, 'X-CSRF-Token': csrf })
      .send({ scope: 'global', name: 'olga lab phone', identifierType: 'MACAddress', identifier: '00-04-F2-0D-00-01' })
      .expect(201);
    const refused = await api()
      .put('/api/v1/configuration/global')
      .set({ Cookie: cookie, 'X-CSRF-Token': csrf })
      .send({ logCleanupIntervalDays: 3 })
      .expect(403);
    expect(refused.body.error).toMatchObject({ code: 'Forbidden', details: { required: 'admin', role: 'operator' } });
    const rows = await frontend.core
      .get(DataSource)
      .query(`SELECT actor, role, action FROM admin_audit WHERE action LIKE 'testDevice%' ORDER BY id`);
    expect(rows).toEqual([{ actor: 'ldap:olga', role: 'operator', action: expect.stringMatching(/^testDevice/) }]);
  });

  it.each([
    [users.adam.uid, users.adam.password, 'admin'],
    [users.vera.uid, users.vera.password, 'viewer'],
    [users.jose.uid, users.jose.password, 'operator'],
  ])('gives %s the role of its group', async (uid, password, role) => {
    expect((await session(uid, password)).body.role).toBe(role);
  });

  it('refuses a user in no group 403, a wrong password or an injected name 401, and names a missing field', async () => {
    expect((await signIn(users.alice.uid, users.alice.password).expect(403)).body.error.code).toBe('Forbidden');
    expect((await signIn(users.olga.uid, users.adam.password).expect(401)).body.error.code).toBe('Unauthorized');
    await signIn('*', users.olga.password).expect(401);
    await signIn('ol*', users.olga.password).expect(401);
    await signIn('olga)(uid=*', users.olga.password).expect(401);
    expect((await api().post('/api/v1/session').send({ user: 'olga' }).expect(400)).body.error.details.field).toBe('password');
    expect((await api().post('/api/v1/session').send({ user: 'olga', password: 'x', token: 'y'.repeat(20) }).expect(400)).body.error.details.field).toBe('token');
  });

  it('refuses a token named like a directory user', async () => {
    const refused = await api().post('/api/v1/tokens').set('Authorization', `Bearer ${ADMIN}`).send({ name: 'ldap:olga', role: 'admin' }).expect(400);
    expect(refused.body.error.details.field).toBe('name');
  });

  it('throttles wrong passwords pool-wide: 429 with Retry-After after ten, per user on every node and per address', async () => {
    const from = nextAddress();
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await signIn(users.jose.uid, `wrong-${attempt}`, from).expect(401)).body.error.code).toBe('Unauthorized');
    }
    const throttled = await signIn(users.jose.uid, users.jose.password, from).expect(429);
    expect(throttled.headers['content-type']).toMatch(/^application\/json/);
    expect(throttled.body.error).toMatchObject({ code: 'TooManyRequests', details: { retryAfterSeconds: expect.any(Number) } });
    const wait = throttled.body.error.details.retryAfterSeconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(300);
    expect(throttled.headers['retry-after']).toBe(String(wait));
    // The count is in Redis: another node of the pool refuses the user too, from another address.
    const other = await startTestFrontend({ ...config, UCU_NODE_ID: 'directory-admin-2' });
    try {
      const elsewhere = await request(other.internal.getHttpServer())
        .post('/api/v1/session')
        .set('X-Forwarded-For', nextAddress())
        .send({ user: users.jose.uid, password: users.jose.password })
        .expect(429);
      expect(elsewhere.body.error.code).toBe('TooManyRequests');
    } finally {
      await other.close();
    }
    // Per address: ten unknown names from one address stop everyone there, and nobody elsewhere.
    const guesser = nextAddress();
    for (let attempt = 0; attempt < 10; attempt++) await signIn(`nobody-${attempt}`, 'guess', guesser).expect(401);
    await signIn(users.olga.uid, users.olga.password, guesser).expect(429);
    await signIn(users.olga.uid, users.olga.password, nextAddress()).expect(201);
    // Admin tokens are not directory sign-ins: not throttled.
    await api().post('/api/v1/session').set('X-Forwarded-For', guesser).send({ token: ADMIN }).expect(201);
  });

  it('says the directory is unavailable (503) while slapd is stopped, counts none of it, keeps sessions and their roles, and tokens work', async () => {
    const { cookie } = await session(users.vera.uid, users.vera.password);
    await sleep(1_100); // the session's role is due to be asked again: it will be, while slapd is away
    const from = nextAddress();
    await slapd.stop();
    try {
      // More wrong tries than the limit: none counts, the directory said nothing.
      for (let attempt = 0; attempt < 12; attempt++) {
        const answer = await signIn(users.olga.uid, `wrong-${attempt}`, from).expect(503);
        expect(answer.body.error).toMatchObject({ code: 'ServiceUnavailable', details: { retryAfterSeconds: 5 } });
        expect(answer.headers['retry-after']).toBe('5');
      }
      expect((await api().get('/api/v1/session').set('Cookie', cookie).expect(200)).body.role).toBe('viewer');
      await api().post('/api/v1/session').send({ token: ADMIN }).expect(201);
    } finally {
      await slapd.start();
    }
    await sleep(1_100);
    await signIn(users.olga.uid, users.olga.password, from).expect(201);
  });

  it('ends the session of a user taken out of every group, and lowers the role of one moved to a lower group, within the recheck interval', async () => {
    const olga = await session(users.olga.uid, users.olga.password);
    const adam = await session(users.adam.uid, users.adam.password);
    // A groupOfNames keeps one member at least: the admins keep another administrator.
    const otherAdmin = 'uid=another-admin,ou=people,dc=ucupdates,dc=test';
    const change = (group: string, ...operations: [op: 'add' | 'delete', dn: string][]) =>
      [`dn: ${group}`, 'changetype: modify', ...operations.flatMap(([op, dn], i) => [...(i > 0 ? ['-'] : []), `${op}: member`, `member: ${dn}`]), ''].join('\n');
    // As an administrator would, with ldapmodify: olga out of the operators, adam from the admins to the viewers.
    await slapd.modify(
      [
        change(groups.operator, ['delete', dnOf(users.olga.uid)]),
        change(groups.admin, ['add', otherAdmin], ['delete', dnOf(users.adam.uid)]),
        change(groups.viewer, ['add', dnOf(users.adam.uid)]),
      ].join('\n'),
    );
    try {
      await sleep(1_100);
      const ended = await api().get('/api/v1/session').set('Cookie', olga.cookie).expect(401);
      expect(ended.body.error.code).toBe('Unauthorized');
      await api()
        .post('/api/v1/test-devices')
        .set({ Cookie: olga.cookie, 'X-CSRF-Token': olga.csrf })
        .send({ scope: 'global', name: 'olga after', identifierType: 'MACAddress', identifier: '00-04-F2-0D-00-02' })
        .expect(401);
      expect((await signIn(users.olga.uid, users.olga.password).expect(403)).body.error.code).toBe('Forbidden');

      expect((await api().get('/api/v1/session').set('Cookie', adam.cookie).expect(200)).body).toMatchObject({ name: 'ldap:adam', role: 'viewer' });
      const refused = await api()
        .put('/api/v1/configuration/global')
        .set({ Cookie: adam.cookie, 'X-CSRF-Token': adam.csrf })
        .send({ logCleanupIntervalDays: 3 })
        .expect(403);
      expect(refused.body.error.details).toEqual({ required: 'admin', role: 'viewer' });
    } finally {
      await slapd.modify(
        [
          change(groups.operator, ['add', dnOf(users.olga.uid)]),
          change(groups.admin, ['add', dnOf(users.adam.uid)], ['delete', otherAdmin]),
          change(groups.viewer, ['delete', dnOf(users.adam.uid)]),
        ].join('\n'),
      );
    }
    // Put back, olga signs in again; her old session stays ended.
    await signIn(users.olga.uid, users.olga.password).expect(201);
    await api().get('/api/v1/session').set('Cookie', olga.cookie).expect(401);
  });
});
