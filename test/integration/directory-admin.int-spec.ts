import { resolve } from 'node:path';
import type { Config } from '@ucupdates/config';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/frontend-harness';
import { TEST_DIRECTORY, TestDirectory } from '../support/test-directory';
import { suiteResources, testConfig, testServices } from '../support/test-environment';

const ADMIN = 'directory-admins-token-0123456789';
const suite = suiteResources(__filename);
const { users } = TEST_DIRECTORY;

jest.setTimeout(60_000);

/** Control-panel sign-in with directory accounts: roles from groups, the audit's actor, the directory away. */
describe('administrators from the directory', () => {
  let slapd: TestDirectory;
  let config: Config;
  let frontend: Frontend;
  const api = () => request(frontend.internal.getHttpServer());
  const signIn = (user: string, password: string) => api().post('/api/v1/session').send({ user, password });
  const session = async (user: string, password: string) => {
    const answer = await signIn(user, password).expect(201);
    const cookie = String(([] as string[]).concat(answer.headers['set-cookie'] ?? [])[0]).split(';')[0];
    return { cookie, csrf: answer.body.csrfToken as string, body: answer.body };
  };

  beforeAll(async () => {
    slapd = new TestDirectory(resolve(testServices.stateDir, 'directory-admin-int'), suite.port(190));
    await slapd.start();
    // StartTLS this time (the phone suite uses LDAPS).
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
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

  it('says the directory is unavailable (503) while slapd is stopped; tokens and sessions keep working', async () => {
    const { cookie } = await session(users.vera.uid, users.vera.password);
    await slapd.stop();
    try {
      const answer = await signIn(users.olga.uid, users.olga.password).expect(503);
      expect(answer.body.error).toMatchObject({ code: 'ServiceUnavailable', details: { retryAfterSeconds: 5 } });
      await api().get('/api/v1/session').set('Cookie', cookie).expect(200);
      await api().post('/api/v1/session').send({ token: ADMIN }).expect(201);
    } finally {
      await slapd.start();
    }
    await new Promise((done) => setTimeout(done, 1_100));
    await signIn(users.olga.uid, users.olga.password).expect(201);
  });
});
