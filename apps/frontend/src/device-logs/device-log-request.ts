import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { addressOf } from '../phone/phone-request';
import type { DeviceLogUpload, DeviceLogUploadService, StoredDeviceLog } from './device-log-upload.service';

// What the upload routes of both listeners share: the internal route's controller uses these, and
// the external one (signed-in users, RequestHandlerExt) is the same with its user and `external`.

/** The upload routes of both listeners (phone-protocol.md). */
export const DEVICE_LOG_ROUTES = {
  internal: '/RequestHandler/Logs/:logType/:fileName',
  external: '/RequestHandlerExt/Logs/:logType/:fileName',
} as const;

/**
 * What an upload route hands the service from its request: the path's parts, the body stream (a
 * route marked `@RawBody()` gets it whatever the Content-Type; none at all for an empty body) and
 * the identity headers. The caller adds who sent it (`userId`, `external`).
 */
function uploadOf(request: FastifyRequest, params: { logType: string; fileName: string }, nodeId: string) {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const length = header('content-length');
  return {
    logType: params.logType,
    fileName: params.fileName,
    body: request.body instanceof Readable ? request.body : Readable.from([]),
    contentLength: length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : null,
    identity: { deviceType: header('x-uc-devicetype'), macAddress: header('x-uc-macaddress'), serialNumber: header('x-uc-serialnumber') },
    address: addressOf(request),
    nodeId,
  } satisfies Omit<DeviceLogUpload, 'userId' | 'external'>;
}

/**
 * Runs an upload; when it is refused before the whole body came in (a 413 on Content-Length, a
 * chunked body past the limit), the answer closes the connection, so the phone's unread rest does
 * not hold it (the service drops what arrives meanwhile).
 */
async function closingOnUnreadBody<T>(request: FastifyRequest, reply: FastifyReply, upload: () => Promise<T>): Promise<T> {
  try {
    return await upload();
  } catch (error) {
    if (!request.raw.complete) {
      void reply.header('Connection', 'close');
    }
    throw error;
  }
}

/** A small XML answer for the phone: the new log's id, and where the admin API shows it. */
function storedAnswer(reply: FastifyReply, stored: StoredDeviceLog): string {
  void reply.header('Location', stored.location).header('Content-Type', 'text/xml; charset=utf-8');
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<Response><Id>${stored.id}</Id><Size>${stored.size}</Size><Sha256>${stored.sha256}</Sha256></Response>\n`
  );
}

/**
 * What an upload route of either listener does: hands the request to the service as who sent it
 * (`userId`, `external`), and answers the phone.
 */
export async function receiveUpload(
  uploads: DeviceLogUploadService,
  request: FastifyRequest,
  reply: FastifyReply,
  params: { logType: string; fileName: string },
  nodeId: string,
  sender: Pick<DeviceLogUpload, 'userId' | 'external'>,
): Promise<string> {
  const stored = await closingOnUnreadBody(request, reply, () => uploads.upload({ ...uploadOf(request, params, nodeId), ...sender }));
  return storedAnswer(reply, stored);
}
