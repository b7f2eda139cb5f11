/**
 * The phone endpoints' routes (phone-protocol.md). Paths match case-insensitively, as IIS did; the
 * file endpoints take the rest of the path as the file's location.
 */
export const PHONE_ROUTES = {
  internalCheck: '/RequestHandler/ucdevice.upx',
  externalCheck: '/RequestHandlerExt/ucdevice.upx',
  internalFiles: '/DeviceUpdateFiles_Int',
  externalFiles: '/DeviceUpdateFiles_Ext',
  /** Lync's DeviceUpdateStoreInternalUri: the same store as internalFiles. */
  internalFilesAlias: '/RequestHandler/Files',
  /** Lync's DeviceUpdateStoreExternalUri: the same store as externalFiles, token and all. */
  externalFilesAlias: '/RequestHandlerExt/Files',
  internalLogs: '/RequestHandler/Logs/:logType/:fileName',
  externalLogs: '/RequestHandlerExt/Logs/:logType/:fileName',
} as const;

const PHONE_PATH = /^\/(requesthandler|requesthandlerext|deviceupdatefiles_int|deviceupdatefiles_ext)(\/|\?|$)/i;

/** Whether a request URL is one of the phone endpoints, whose errors are XML whatever the listener. */
export function isPhonePath(url: string): boolean {
  return PHONE_PATH.test(url);
}

const UPDATE_CHECK_PATH = /^\/requesthandler(?:ext)?\/ucdevice\.upx(?:\?|$)/i;

/** Whether a request URL is an update check's (either listener), the hot path of a node. */
export function isUpdateCheckPath(url: string): boolean {
  return UPDATE_CHECK_PATH.test(url);
}

/**
 * The part of a raw request URL after one of a file store's prefixes (its path and its alias),
 * still percent-encoded, without the query string; null when the URL is under none of them.
 */
export function fileLocationPath(rawUrl: string, prefixes: readonly string[]): string | null {
  const path = rawUrl.split('?', 1)[0];
  for (const prefix of prefixes) {
    if (path.length <= prefix.length || path.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) continue;
    const rest = path.slice(prefix.length);
    if (rest.startsWith('/')) return rest;
  }
  return null;
}
