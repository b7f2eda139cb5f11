import { pathOf, ROUTES } from './routes';

describe('pathOf', () => {
  it('fills in each parameter as one encoded path segment', () => {
    expect(pathOf(ROUTES.ruleApprove, { id: '6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f' })).toBe(
      '/api/v1/rules/6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f/approve',
    );
    expect(pathOf(ROUTES.configuration, { scope: 'site:Redmond/1' })).toBe('/api/v1/configuration/site%3ARedmond%2F1');
  });

  it('takes a route without parameters as it is', () => {
    expect(pathOf(ROUTES.rules)).toBe('/api/v1/rules');
  });

  it('refuses a parameter left out (only possible past the type checker)', () => {
    expect(() => (pathOf as (route: string, params: object) => string)(ROUTES.rule, {})).toThrow('no value for :id');
  });

  it('holds each route once, every one under /api/v1', () => {
    const paths = Object.values(ROUTES);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((path) => !/^\/api\/v1\/[a-z/:-]+$/i.test(path))).toEqual([]);
  });
});
