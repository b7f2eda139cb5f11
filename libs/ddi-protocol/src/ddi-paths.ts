/**
 * The DDI routes (ddi.md), under `/{tenant}/controller/v1/{controllerId}`. Both listeners serve
 * them; the tenant is checked by the adapter (any other than UCU_DDI_TENANT is a 404).
 */
const BASE = '/:tenant/controller/v1/:controllerId';

export const DDI_ROUTES = {
  poll: BASE,
  configData: `${BASE}/configData`,
  deploymentBase: `${BASE}/deploymentBase/:actionId`,
  deploymentFeedback: `${BASE}/deploymentBase/:actionId/feedback`,
  cancelAction: `${BASE}/cancelAction/:actionId`,
  cancelFeedback: `${BASE}/cancelAction/:actionId/feedback`,
  installedBase: `${BASE}/installedBase/:actionId`,
  artifact: `${BASE}/softwaremodules/:moduleId/artifacts/:fileName`,
} as const;

const DDI_PATH = /^\/[^/?]+\/controller\/v1(\/|\?|$)/i;

/** Whether a request URL is under a DDI route, whose errors are DDI's JSON whatever the listener. */
export function isDdiPath(url: string): boolean {
  return DDI_PATH.test(url);
}

/** Where a controller's resources are: `<baseUrl>/<tenant>/controller/v1/<controllerId>`. */
export function controllerBase(baseUrl: string, tenant: string, controllerId: string): string {
  return `${baseUrl}/${encodeURIComponent(tenant)}/controller/v1/${encodeURIComponent(controllerId)}`;
}

/** An action id in a path: a positive decimal number small enough for a bigint column. */
const ACTION_ID = /^[1-9][0-9]{0,17}$/;

/** The action id of a path segment, as text (a bigint), or null when it is not one. */
export function parseActionId(text: string): string | null {
  return ACTION_ID.test(text) ? text : null;
}
