import type { Config } from '@ucupdates/config';
import { verifyPassword } from '@ucupdates/phone-directory';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { useTestFrontend } from '../support/harness';

describe('phone users (/api/v1/phone-users)', () => {
  const app = useTestFrontend(__filename);
  const VIEWER = app.tokens.viewer;
  const ADMIN = app.tokens.admin;
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(() => void ({ config, frontend, dataSource } = app));

  it('adds a user with a slow hash of the password, which is never shown', async () => {
    const created = await api()
      .post('/api/v1/phone-users')
      .set(as(ADMIN))
      .send({ userId: 'sip:alice@contoso.com', password: 'Pa55word!' })
      .expect(201);
    expect(created.body).toEqual({ id: expect.any(String), userId: 'sip:alice@contoso.com', createdAt: expect.any(String) });
    const [{ password_hash }] = await dataSource.query(`SELECT password_hash FROM phone_users WHERE id = $1`, [created.body.id]);
    expect(password_hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('Pa55word!', password_hash)).toBe(true);
    const listed = await api().get('/api/v1/phone-users').set(as(VIEWER)).expect(200);
    expect(listed.body.items).toEqual([created.body]);
    const [audit] = await dataSource.query(`SELECT after FROM admin_audit WHERE action = 'phoneUser.create'`);
    expect(JSON.stringify(audit)).not.toContain('Pa55word!');
  });

  it('refuses the same user id in another case (409), bad ids and short passwords (400)', async () => {
    const duplicate = await api()
      .post('/api/v1/phone-users')
      .set(as(ADMIN))
      .send({ userId: 'SIP:Alice@Contoso.com', password: 'another-one' })
      .expect(409);
    expect(duplicate.body.error).toMatchObject({ code: 'DuplicateUser', details: { field: 'userId' } });
    const badId = await api().post('/api/v1/phone-users').set(as(ADMIN)).send({ userId: 'alice', password: 'long-enough' }).expect(400);
    expect(badId.body.error.details.field).toBe('userId');
    const short = await api().post('/api/v1/phone-users').set(as(ADMIN)).send({ userId: 'sip:bob@contoso.com', password: 'short' }).expect(400);
    expect(short.body.error.details.field).toBe('password');
  });

  it('lets only admins add and remove users', async () => {
    await api().post('/api/v1/phone-users').set(as(VIEWER)).send({ userId: 'sip:eve@contoso.com', password: 'long-enough' }).expect(403);
    const [{ id }] = await dataSource.query(`SELECT id FROM phone_users`);
    await api().delete(`/api/v1/phone-users/${id}`).set(as(VIEWER)).expect(403);
    await api().delete(`/api/v1/phone-users/${id}`).set(as(ADMIN)).expect(204);
    await api().delete(`/api/v1/phone-users/${id}`).set(as(ADMIN)).expect(404);
  });
});
