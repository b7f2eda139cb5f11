/**
 * Every route of the admin API (admin-api.md), as the frontend's controllers declare them and the
 * CLI and the control panel call them. `:name` is a path parameter: `pathOf` fills it in.
 */
export const ROUTES = {
  session: '/api/v1/session',
  updates: '/api/v1/updates',
  imports: '/api/v1/imports',
  import: '/api/v1/imports/:importId',
  rules: '/api/v1/rules',
  rule: '/api/v1/rules/:id',
  ruleApprove: '/api/v1/rules/:id/approve',
  ruleReset: '/api/v1/rules/:id/reset',
  ruleRestore: '/api/v1/rules/:id/restore',
  filesPurge: '/api/v1/files/purge',
  testDevices: '/api/v1/test-devices',
  testDevice: '/api/v1/test-devices/:id',
  configurations: '/api/v1/configuration',
  configurationEffective: '/api/v1/configuration/effective',
  configuration: '/api/v1/configuration/:scope',
  nodes: '/api/v1/nodes',
  nodeActivity: '/api/v1/nodes/activity',
  node: '/api/v1/nodes/:id',
  devices: '/api/v1/devices',
  devicesSummary: '/api/v1/devices/summary',
  devicesCompliance: '/api/v1/devices/compliance',
  devicesComplianceExport: '/api/v1/devices/compliance/export',
  devicesExport: '/api/v1/devices/export',
  device: '/api/v1/devices/:id',
  requestAudit: '/api/v1/audit/requests',
  requestAuditExport: '/api/v1/audit/requests/export',
  adminAudit: '/api/v1/audit/admin',
  deviceLogs: '/api/v1/device-logs',
  deviceLog: '/api/v1/device-logs/:id',
  deviceLogContent: '/api/v1/device-logs/:id/content',
  tokens: '/api/v1/tokens',
  token: '/api/v1/tokens/:id',
  phoneUsers: '/api/v1/phone-users',
  phoneUser: '/api/v1/phone-users/:id',
  ddiTargets: '/api/v1/ddi/targets',
  ddiTarget: '/api/v1/ddi/targets/:controllerId',
  ddiTargetToken: '/api/v1/ddi/targets/:controllerId/token',
  ddiActions: '/api/v1/ddi/actions',
  ddiActionRetry: '/api/v1/ddi/actions/:id/retry',
} as const;

export type Route = (typeof ROUTES)[keyof typeof ROUTES];

/** The names of a route's `:name` parameters: `'id'` for `/api/v1/rules/:id/approve`. */
export type RouteParamNames<R extends string> = R extends `${string}:${infer Name}/${infer Rest}`
  ? Name | RouteParamNames<`/${Rest}`>
  : R extends `${string}:${infer Name}`
    ? Name
    : never;

/** What `pathOf` needs besides the route: nothing, or a value for each parameter. */
export type RouteParams<R extends string> = [RouteParamNames<R>] extends [never] ? [] : [params: Record<RouteParamNames<R>, string>];

/** A route with its parameters filled in, each encoded as one path segment. */
export function pathOf<R extends Route>(route: R, ...[params]: RouteParams<R>): string {
  const values = (params ?? {}) as Record<string, string>;
  return route.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`${route}: no value for :${name}`);
    }
    return encodeURIComponent(value);
  });
}
