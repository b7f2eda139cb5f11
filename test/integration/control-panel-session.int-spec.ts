import type { Config } from '@ucupdates/config';
import request from 'supertest';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { loadControlPanelFiles } from '../../apps/frontend/src/control-panel/control-panel-files';
import { useTestFrontend } from '../support/harness';

/** The control panel's sign-in: a session cookie beside the bearer tokens, CSRF on every change. */
describe('control panel sessions (/api/v1/session) and the panel itself (/cp/)', () => {
  const app = useTestFrontend(__filename);
  const ADMIN = app.tokens.admin;
  let config: Config;
  let frontend: Frontend;
  const api = () => request(frontend.internal.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  const signIn = async (token: string) => {
    const answer = await api().post('/api/v1/session').send({ token }).expect(201);
    const setCookie = ([] as string[]).concat(answer.headers['set-cookie'] ?? []);
    const cookie = setCookie[0].split(';')[0];
    return { cookie, csrf: answer.body.csrfToken as string, setCookie: setCookie[0], body: answer.body };
  };

  const device = (name: string) => ({ scope: 'global', name, identifierType: 'SerialNumber', identifier: name.replace(/\W/g, '') });

  beforeAll(() => void ({ config, frontend } = app));

  it('signs in with a known token only, into an httpOnly, SameSite=Strict cookie for the API', async () => {
    const refused = await api().post('/api/v1/session').send({ token: 'not-a-token-of-this-pool-0000' }).expect(401);
    expect(refused.body.error.code).toBe('Unauthorized');
    expect(refused.headers['set-cookie']).toBeUndefined();
    await api().post('/api/v1/session').send({}).expect(400);

    const { setCookie, body } = await signIn(ADMIN);
    expect(setCookie).toMatch(/^ucu_session=[A-Za-z0-9_-]{43}; Path=\/api; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(body).toEqual({ name: 'bootstrap', role: 'admin', via: 'session', csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it('marks the cookie Secure when a trusted proxy says the request came over https', async () => {
    const answer = await api().post('/api/v1/session').set('X-Forwarded-Proto', 'https').send({ token: ADMIN }).expect(201);
    expect(String(answer.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  it('reads with the cookie alone, and tells the panel who it is and its CSRF token', async () => {
    const { cookie, csrf } = await signIn(ADMIN);
    const who = await api().get('/api/v1/session').set('Cookie', cookie).expect(200);
    expect(who.body).toEqual({ name: 'bootstrap', role: 'admin', via: 'session', csrfToken: csrf });
    await api().get('/api/v1/rules').set('Cookie', `other=1; ${cookie}`).expect(200);
    const viaBearer = await api().get('/api/v1/session').set(bearer(ADMIN)).expect(200);
    expect(viaBearer.body).toEqual({ name: 'bootstrap', role: 'admin', via: 'bearer', csrfToken: null });
  });

  it('refuses a change made with the cookie without the session CSRF token (403), and takes it with it', async () => {
    const { cookie, csrf } = await signIn(ADMIN);
    const missing = await api().post('/api/v1/test-devices').set('Cookie', cookie).send(device('csrf missing')).expect(403);
    expect(missing.body.error.code).toBe('CsrfRefused');
    const other = await signIn(ADMIN);
    const wrong = await api()
      .post('/api/v1/test-devices')
      .set({ Cookie: cookie, 'X-CSRF-Token': other.csrf })
      .send(device('csrf wrong'))
      .expect(403);
    expect(wrong.body.error.code).toBe('CsrfRefused');
    await api().delete('/api/v1/rules/7d3c6f5e-1111-4222-8333-944455556666').set('Cookie', cookie).expect(403);
    await api().post('/api/v1/test-devices').set({ Cookie: cookie, 'X-CSRF-Token': csrf }).send(device('csrf right')).expect(201);
    const listed = await api().get('/api/v1/test-devices').set(bearer(ADMIN)).expect(200);
    expect(listed.body.items.map((each: { name: string }) => each.name)).toEqual(['csrf right']);
    const audit = await api().get('/api/v1/audit/admin?action=testDevice.create').set(bearer(ADMIN)).expect(200);
    expect(audit.body.items[0]).toMatchObject({ actor: 'bootstrap', role: 'admin' });
  });

  it('leaves bearer clients as they were: no CSRF token, and the Authorization header decides alone', async () => {
    const { cookie } = await signIn(ADMIN);
    await api().post('/api/v1/test-devices').set(bearer(ADMIN)).send(device('bearer change')).expect(201);
    // A bad bearer token is not rescued by a good cookie.
    await api().get('/api/v1/rules').set({ ...bearer('unknown-token-0123456789'), Cookie: cookie }).expect(401);
    await api().get('/api/v1/rules').set('Cookie', 'ucu_session=not-a-session').expect(401);
    await api().get('/api/v1/rules').set('Cookie', `ucu_session=${'A'.repeat(43)}`).expect(401);
    await api().get('/api/v1/rules').expect(401);
  });

  it("gives a viewer's session the viewer's rights only", async () => {
    const made = await api().post('/api/v1/tokens').set(bearer(ADMIN)).send({ name: 'panel viewer', role: 'viewer' }).expect(201);
    const { cookie, csrf, body } = await signIn(made.body.token);
    expect(body.role).toBe('viewer');
    await api().get('/api/v1/test-devices').set('Cookie', cookie).expect(200);
    const refused = await api().post('/api/v1/test-devices').set({ Cookie: cookie, 'X-CSRF-Token': csrf }).send(device('viewer')).expect(403);
    expect(refused.body.error).toMatchObject({ code: 'Forbidden', details: { required: 'operator', role: 'viewer' } });
    // Revoking the token ends its sessions at once.
    await api().delete(`/api/v1/tokens/${made.body.id}`).set(bearer(ADMIN)).expect(204);
    await api().get('/api/v1/test-devices').set('Cookie', cookie).expect(401);
  });

  it('signs out: needs the CSRF token, ends the session on the server and clears the cookie', async () => {
    const { cookie, csrf } = await signIn(ADMIN);
    const forged = await api().delete('/api/v1/session').set('Cookie', cookie).expect(403);
    expect(forged.body.error.code).toBe('CsrfRefused');
    const out = await api().delete('/api/v1/session').set({ Cookie: cookie, 'X-CSRF-Token': csrf }).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^ucu_session=; Path=\/api; HttpOnly; SameSite=Strict; Max-Age=0$/);
    const after = await api().get('/api/v1/session').set('Cookie', cookie).expect(401);
    expect(after.body.error.code).toBe('Unauthorized');
  });

  it('serves the built panel at /cp/: index revalidated, hashed assets immutable, a strict CSP', async () => {
    const files = loadControlPanelFiles();
    expect(files).not.toBeNull(); // npm run build makes dist/control-panel
    const moved = await api().get('/cp').expect(308);
    expect(moved.headers.location).toBe('/cp/');
    const index = await api().get('/cp/').expect(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    await api().get('/cp/').set('If-None-Match', index.headers.etag).expect(304);
    const script = /src="assets\/([^"]+\.js)"/.exec(index.text)![1];
    const style = /href="assets\/([^"]+\.css)"/.exec(index.text)![1];
    const js = await api().get(`/cp/assets/${script}`).expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await api().get(`/cp/assets/${style}`).expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    await api().get('/cp/assets/main-AAAAAAAA.js').expect(404);
    await api().get('/cp/assets/..%2Fintex.html').expect(404);
    // Only the internal listener serves it.
    await request(frontend.external.getHttpServer()).get('/cp/').expect(404);
  });
});
