/**
 * The phone endpoints' routes (phone-protocol.md). Paths match case-insensitively, as IIS did; the
 * file endpoints take the rest of the path as the file's location.
 */
export const PHONE_ROUTES = {
  internalCheck: '/RequestHandler/ucdevice.upx',
  externalCheck: '/RequestHandlerExt/ucdevice.upx',
  internalFiles: '/DeviceUpdateFiles_Int',
  externalFiles: '/DeviceUpdateFiles_Ext',
  internalLogs: '/RequestHandler/Logs/:logType/:fileName',
  externalLogs: '/RequestHandlerExt/Logs/:logType/:fileName',
} as const;

const PHONE_PATH = /^\/(requesthandler|requesthandlerext|deviceupdatefiles_int|deviceupdatefiles_ext)(\/|\?|$)/i;

/** Whether a request URL is one of the phone endpoints, whose errors are XML whatever the listener. */
export function isPhonePath(url: string): boolean {
  return PHONE_PATH.test(url);
}

/**
 * The part of a raw request URL after a file endpoint's prefix, still percent-encoded, without the
 * query string; null when the URL is not under that prefix.
 */
export function fileLocationPath(rawUrl: string, prefix: string): string | null {
  const path = rawUrl.split('?', 1)[0];
  if (path.length <= prefix.length || path.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return null;
  const rest = path.slice(prefix.length);
  return rest.startsWith('/') ? rest : null;
}
