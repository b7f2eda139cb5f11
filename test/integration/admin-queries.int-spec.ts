import { ROUTES } from '@ucupdates/admin-api';
import request from 'supertest';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { useTestFrontend } from '../support/harness';

/**
 * Every list of the admin API refuses a query field it does not know, naming it: a misspelt
 * filter is a 400, never a page of everything (the queries' schemas are strict, libs/admin-api).
 */
describe('unknown query fields on the admin lists', () => {
  const app = useTestFrontend(__filename);
  const ADMIN = app.tokens.admin;
  let frontend: Frontend;
  const api = () => request(frontend.internal.getHttpServer());

  beforeAll(() => void ({ frontend } = app));

  // Each list, with a misspelling of one of its own filters (or of `limit` where it has none).
  const LISTS: [string, string][] = [
    [ROUTES.rules, 'modle'],
    [ROUTES.imports, 'limt'],
    [ROUTES.testDevices, 'scop'],
    [ROUTES.configurations, 'limt'],
    [ROUTES.nodes, 'limt'],
    [ROUTES.devices, 'seen'],
    [ROUTES.devicesCompliance, 'rule'],
    [ROUTES.requestAudit, 'macaddress'],
    [ROUTES.adminAudit, 'actr'],
    [ROUTES.deviceLogs, 'logtype'],
    [ROUTES.tokens, 'limt'],
    [ROUTES.phoneUsers, 'limt'],
    [ROUTES.ddiTargets, 'hwrevision'],
    [ROUTES.ddiActions, 'controllerid'],
  ];

  it.each(LISTS)('GET %s?%s=… answers 400 naming the field', async (route, field) => {
    const response = await api().get(route).query({ [field]: 'x', limit: '5' }).set({ Authorization: `Bearer ${ADMIN}` }).expect(400);
    expect(response.body.error).toMatchObject({ code: 'BadRequest', details: { field } });
    expect(response.body.error.message).toMatch(new RegExp(`^${field}: `));
  });

  it.each(LISTS)('GET %s still answers its known fields', async (route) => {
    const response = await api().get(route).query({ limit: '5' }).set({ Authorization: `Bearer ${ADMIN}` }).expect(200);
    expect(response.body).toMatchObject({ items: expect.any(Array) });
    expect(response.body).toHaveProperty('nextCursor');
  });

  it('refuses an unknown field beside the day of a request audit export, and on an approval', async () => {
    const export_ = await api().get(ROUTES.requestAuditExport).query({ date: '2024-05-01', nodeid: 'a' }).set({ Authorization: `Bearer ${ADMIN}` }).expect(400);
    expect(export_.body.error.details).toMatchObject({ field: 'nodeid' });
    const approval = await api()
      .post('/api/v1/rules/6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f/approve')
      .query({ forse: 'true' })
      .set({ Authorization: `Bearer ${ADMIN}` })
      .expect(400);
    expect(approval.body.error.details).toMatchObject({ field: 'forse' });
  });
});
