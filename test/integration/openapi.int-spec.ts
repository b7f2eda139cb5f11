import type { Config } from '@ucupdates/config';
import request from 'supertest';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { useTestFrontend } from '../support/harness';

/** Every admin route, as the spec names them; the document must hold each. */
const ROUTES = [
  'post /api/v1/updates',
  'get /api/v1/imports',
  'get /api/v1/imports/{importId}',
  'get /api/v1/rules',
  'get /api/v1/rules/{id}',
  'post /api/v1/rules/{id}/approve',
  'post /api/v1/rules/{id}/reset',
  'post /api/v1/rules/{id}/restore',
  'delete /api/v1/rules/{id}',
  'post /api/v1/files/purge',
  'get /api/v1/test-devices',
  'post /api/v1/test-devices',
  'get /api/v1/test-devices/{id}',
  'patch /api/v1/test-devices/{id}',
  'delete /api/v1/test-devices/{id}',
  'get /api/v1/configuration',
  'get /api/v1/configuration/{scope}',
  'put /api/v1/configuration/{scope}',
  'delete /api/v1/configuration/{scope}',
  'post /api/v1/tokens',
  'get /api/v1/tokens',
  'delete /api/v1/tokens/{id}',
  'post /api/v1/phone-users',
  'get /api/v1/phone-users',
  'delete /api/v1/phone-users/{id}',
  'post /api/v1/ddi/targets',
  'get /api/v1/ddi/targets',
  'get /api/v1/ddi/targets/{controllerId}',
  'post /api/v1/ddi/targets/{controllerId}/token',
  'delete /api/v1/ddi/targets/{controllerId}',
  'get /api/v1/nodes',
  'delete /api/v1/nodes/{id}',
  'get /api/v1/audit/admin',
  'get /api/v1/ddi/actions',
  'post /api/v1/ddi/actions/{id}/retry',
];

describe('the OpenAPI document (/api/docs, /api/docs-json)', () => {
  const app = useTestFrontend(__filename);
  let config: Config;
  let frontend: Frontend;
  const api = () => request(frontend.internal.getHttpServer());

  beforeAll(() => void ({ config, frontend } = app));

  it('describes every admin route, behind bearer tokens, without a token to read it', async () => {
    const document = (await api().get('/api/docs-json').expect(200)).body;
    expect(document.openapi).toMatch(/^3\./);
    const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(routes).toEqual(expect.arrayContaining(ROUTES));
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(routes).not.toContain('get /api/docs');
  });

  it('takes bodies and queries from the schemas that check them', async () => {
    const document = (await api().get('/api/docs-json').expect(200)).body;
    const tokenBody = document.paths['/api/v1/tokens'].post.requestBody.content['application/json'].schema;
    expect(tokenBody).toMatchObject({
      type: 'object',
      required: ['name', 'role'],
      properties: { role: { enum: ['admin', 'operator', 'viewer'] } },
      additionalProperties: false,
    });
    const ruleQuery = document.paths['/api/v1/rules'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(ruleQuery).toEqual(expect.arrayContaining(['limit', 'cursor', 'deviceType', 'brand', 'model', 'locale', 'updateType']));
    const configBody = document.paths['/api/v1/configuration/{scope}'].put.requestBody.content['application/json'].schema;
    expect(Object.keys(configBody.properties)).toContain('logCleanUpInterval');
  });

  it('serves Swagger UI from the package, and nothing else from that folder', async () => {
    const page = await api().get('/api/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('/api/docs-json');
    const script = await api().get('/api/docs/swagger-ui-bundle.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    await api().get('/api/docs/package.json').expect(404);
    await api().get('/api/docs/..%2fpackage.json').expect(404);
  });
});
