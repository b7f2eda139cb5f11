import { Readable } from 'node:stream';
import { HttpStatus } from '@nestjs/common';
import { isValidSerialNumber, normaliseMac, RuleError } from '@ucupdates/rules';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeviceError } from '../device-error';
import { addressOf } from '../device-request';
import type { DeviceLogSender, DeviceLogStore, DeviceLogUpload, StoredDeviceLog } from '../logs/device-log-store';

// What the upload routes of both listeners share: the internal route's controller uses these, and
// the external one (signed-in users, RequestHandlerExt) is the same with its user and `external`.

/** Rule key fields' form (docs/decisions.md 19), and the device type a rule would match. */
const DEVICE_TYPE = /^[A-Za-z0-9._-]{1,64}$/;
/** `device_logs.serial_number` is varchar(128). */
const MAX_SERIAL_LENGTH = 128;

const badRequest = (message: string) => new DeviceError('BadRequest', message, HttpStatus.BAD_REQUEST);

/** The uploading device as its headers `X-UC-DeviceType`, `X-UC-MacAddress` and `X-UC-SerialNumber` name it, checked. */
function senderOf(header: (name: string) => string | undefined): DeviceLogSender {
  const deviceType = header('x-uc-devicetype')?.trim() ?? '';
  if (deviceType === '') {
    throw badRequest('the X-UC-DeviceType header is required');
  }
  if (!DEVICE_TYPE.test(deviceType)) {
    throw badRequest('the X-UC-DeviceType header must be 1-64 letters, digits, ".", "_" or "-"');
  }
  const mac = header('x-uc-macaddress')?.trim() || null;
  const serial = header('x-uc-serialnumber')?.trim() || null;
  if (mac === null && serial === null) {
    throw badRequest('an X-UC-MacAddress or X-UC-SerialNumber header is required');
  }
  let macAddress: string | null = null;
  if (mac !== null) {
    try {
      macAddress = normaliseMac(mac);
    } catch (error) {
      if (error instanceof RuleError) {
        throw badRequest(`the X-UC-MacAddress header: ${error.message}`);
      }
      throw error;
    }
  }
  if (serial !== null && (serial.length > MAX_SERIAL_LENGTH || !isValidSerialNumber(serial))) {
    throw badRequest(`the X-UC-SerialNumber header must be 1-${MAX_SERIAL_LENGTH} letters, digits, "-" or "_"`);
  }
  return { deviceType, macAddress, serialNumber: serial };
}

/**
 * What an upload route hands the log store from its request: the path's parts, the body stream (a
 * route marked `@RawBody()` gets it whatever the Content-Type) and the checked identity headers.
 * The caller adds who sent it (`userId`, `external`).
 */
function uploadOf(request: FastifyRequest, params: { logType: string; fileName: string }, body: Readable, nodeId: string) {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const length = header('content-length');
  return {
    logType: params.logType,
    fileName: params.fileName,
    body,
    contentLength: length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : null,
    device: senderOf(header),
    address: addressOf(request),
    nodeId,
  } satisfies Omit<DeviceLogUpload, 'userId' | 'external'>;
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
 * What an upload route of either listener does: hands the request to the log store as who sent it
 * (`userId`, `external`), and answers the phone.
 *
 * A refused upload's unread body is dropped, so the connection is not left waiting on it; when it
 * is refused before the whole body came in (a 413 on Content-Length, a chunked body past the
 * limit), the answer also closes the connection, so the phone's unread rest does not hold it.
 */
export async function receiveUpload(
  logs: DeviceLogStore,
  request: FastifyRequest,
  reply: FastifyReply,
  params: { logType: string; fileName: string },
  nodeId: string,
  sender: Pick<DeviceLogUpload, 'userId' | 'external'>,
): Promise<string> {
  // No body at all for an empty request: an empty stream.
  const body = request.body instanceof Readable ? request.body : Readable.from([]);
  let stored: StoredDeviceLog;
  try {
    stored = await logs.store({ ...uploadOf(request, params, body, nodeId), ...sender });
  } catch (error) {
    if (!body.readableEnded) {
      body.unpipe();
      body.resume();
    }
    if (!request.raw.complete) {
      void reply.header('Connection', 'close');
    }
    throw error;
  }
  return storedAnswer(reply, stored);
}
