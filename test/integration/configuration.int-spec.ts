import type { Config } from '@ucupdates/config';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { useTestFrontend } from '../support/harness';

const DEFAULTS = {
  scope: 'global',
  logCleanUpInterval: '10.00:00:00',
  logFlushInterval: '00:05:00',
  maxLogCacheLimit: 512000,
  maxLogFileSize: 1024000,
  logCleanUpTimeOfDay: '03:00',
  validLogFileTypes: ['Watson', 'CELog'],
  validLogFileExtensions: ['.dmp', '.clg', '.clg1', '.clg2', '.bak', '.kdmp', '.dat', '.bin', '.cat', '.xml', '.txt', '.hex'],
  ddiPollingInterval: '00:05:00',
};

describe('device update configuration (/api/v1/configuration)', () => {
  const app = useTestFrontend(__filename, { settings: { UCU_SITE: 'Redmond' } });
  const OPERATOR = app.tokens.operator;
  const ADMIN = app.tokens.admin;
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(() => void ({ config, frontend, dataSource } = app));

  it("has a global scope with Lync's defaults before anything is set", async () => {
    expect((await api().get('/api/v1/configuration').set(as(OPERATOR)).expect(200)).body.items).toEqual([DEFAULTS]);
    expect((await api().get('/api/v1/configuration/global').set(as(OPERATOR)).expect(200)).body).toEqual(DEFAULTS);
    expect((await api().get('/api/v1/configuration/effective').set(as(OPERATOR)).expect(200)).body).toEqual(DEFAULTS);
    await api().get('/api/v1/configuration/site:Redmond').set(as(OPERATOR)).expect(404);
  });

  it('sets the fields given, keeping the others, with an audit row', async () => {
    const set = await api()
      .put('/api/v1/configuration/global')
      .set(as(ADMIN))
      .send({ logCleanUpInterval: '30.00:00:00', maxLogFileSize: 2048000, validLogFileExtensions: ['.TXT', '.log'], ddiPollingInterval: '00:01:00' })
      .expect(200);
    expect(set.body).toEqual({
      ...DEFAULTS,
      logCleanUpInterval: '30.00:00:00',
      maxLogFileSize: 2048000,
      validLogFileExtensions: ['.txt', '.log'],
      ddiPollingInterval: '00:01:00',
    });
    const [audit] = await dataSource.query(`SELECT action, before, after FROM admin_audit WHERE target = 'configuration/global'`);
    // Before it was set, the global scope was Lync's defaults.
    expect(audit).toMatchObject({
      action: 'configuration.set',
      before: { logCleanUpInterval: '10.00:00:00' },
      after: { logCleanUpInterval: '30.00:00:00' },
    });
  });

  it('takes first writes of one scope at once, each with its audit row (found by the hostile-input suite)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        api().put('/api/v1/configuration/site:Race').set(as(ADMIN)).send({ maxLogFileSize: 100_000 + n }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    const rows = await dataSource.query(`SELECT count(*)::int AS n FROM device_update_configurations WHERE scope = 'site:Race'`);
    expect(rows[0].n).toBe(1);
    const audits = await dataSource.query(`SELECT count(*)::int AS n FROM admin_audit WHERE target = 'configuration/site:Race'`);
    expect(audits[0].n).toBe(8);
    await api().delete('/api/v1/configuration/site:Race').set(as(ADMIN)).expect(204);
  });

  it("makes a site's configuration the effective one on a pool of that site, and removes it again", async () => {
    await api().put('/api/v1/configuration/site:Redmond').set(as(ADMIN)).send({ logFlushInterval: '00:10:00' }).expect(200);
    const effective = await api().get('/api/v1/configuration/effective').set(as(OPERATOR)).expect(200);
    expect(effective.body).toMatchObject({ scope: 'site:Redmond', logFlushInterval: '00:10:00', logCleanUpInterval: '10.00:00:00' });
    expect((await api().get('/api/v1/configuration').set(as(OPERATOR)).expect(200)).body.items.map((c: { scope: string }) => c.scope)).toEqual([
      'global',
      'site:Redmond',
    ]);
    await api().delete('/api/v1/configuration/site:Redmond').set(as(ADMIN)).expect(204);
    await api().delete('/api/v1/configuration/site:Redmond').set(as(ADMIN)).expect(404);
    expect((await api().get('/api/v1/configuration/effective').set(as(OPERATOR)).expect(200)).body.scope).toBe('global');
  });

  it("resets the global scope to Lync's defaults when it is removed", async () => {
    await api().delete('/api/v1/configuration/global').set(as(ADMIN)).expect(204);
    expect((await api().get('/api/v1/configuration/global').set(as(OPERATOR)).expect(200)).body).toEqual(DEFAULTS);
  });

  it.each([
    [{ logCleanUpInterval: '366.00:00:00' }, 'logCleanUpInterval', /from 1\.00:00:00 to 365\.00:00:00/],
    [{ logCleanUpInterval: '12:00:00' }, 'logCleanUpInterval', /from 1\.00:00:00/],
    [{ logFlushInterval: '00:00:30' }, 'logFlushInterval', /from 00:01:00 to 01:00:00/],
    [{ logFlushInterval: 'five minutes' }, 'logFlushInterval', /time span/],
    [{ ddiPollingInterval: '00:00:29' }, 'ddiPollingInterval', /from 00:00:30 to 1\.00:00:00/],
    [{ ddiPollingInterval: '1.00:00:01' }, 'ddiPollingInterval', /from 00:00:30/],
    [{ logCleanUpTimeOfDay: '25:00' }, 'logCleanUpTimeOfDay', /HH:MM/],
    [{ maxLogFileSize: -1 }, 'maxLogFileSize', /./],
    [{ validLogFileExtensions: ['txt'] }, 'validLogFileExtensions.0', /extension/],
    [{ validLogFileTypes: [] }, 'validLogFileTypes', /./],
    [{ colour: 'red' }, 'colour', /colour/],
  ])('refuses %j with 400 naming the field', async (body, field, message) => {
    const response = await api().put('/api/v1/configuration/global').set(as(ADMIN)).send(body).expect(400);
    expect(response.body.error.details.field).toBe(field);
    expect(response.body.error.message).toMatch(message);
  });

  it('lets only admins change it', async () => {
    await api().put('/api/v1/configuration/global').set(as(OPERATOR)).send({ maxLogFileSize: 1 }).expect(403);
    await api().delete('/api/v1/configuration/global').set(as(OPERATOR)).expect(403);
    expect((await api().get('/api/v1/configuration/region:x').set(as(OPERATOR)).expect(400)).body.error.details.field).toBe('scope');
  });
});
