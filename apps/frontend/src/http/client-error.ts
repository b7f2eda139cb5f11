import { STATUS_CODES } from 'node:http';
import type { ErrorBody, ErrorCode } from '@ucupdates/admin-api';
import { renderPhoneError } from '@ucupdates/protocol';
import type { DdiErrorBody } from '../devices/ddi/ddi-exception.filter';
import type { ListenerName } from './create-http-app';
import { refusalShape } from './refusal-shape';

/** What Node's HTTP parser refused, and how: the status and the admin API's code for it. */
const REFUSALS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'RequestTimeout', message: 'the request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HeadersTooLarge', message: 'the request headers are too large' },
};
const BROKEN = { status: 400, code: 'BadRequest', message: 'the request is not well-formed HTTP (its framing or headers are broken)' } as const;

/** The part of a socket refused by Node's parser that tells which request it carried. */
interface RefusedSocket {
  writable: boolean;
  /** The response of the request in flight, which Node attaches to its socket (Node's own default answer reads it). */
  _httpMessage?: { req?: { url?: string }; headersSent?: boolean } | null;
}

/**
 * What to write to a connection whose request Node's HTTP parser refused (the server's
 * `clientError`: a body shorter than its Content-Length when the client closes its side, a
 * malformed header, a head too large, a request too slow), as raw HTTP, in the shape of the
 * endpoint it was for, as every other refusal is: XML for a phone path (phone-protocol.md: a phone
 * gets its 4xx in XML) and for anything on the external listener (it serves phones only), DDI's
 * JSON for a DDI path, the admin API's JSON otherwise. Null when nothing is to be written: a
 * reset, a socket no longer writable, or a request whose answer has already begun.
 */
export function clientErrorAnswer(error: { code?: string; rawPacket?: unknown }, socket: RefusedSocket, listener: ListenerName): string | null {
  const inFlight = socket._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return null;
  const shape = refusalShape(inFlight?.req?.url ?? requestLineTarget(error.rawPacket), listener);
  const refusal = (error.code !== undefined && REFUSALS[error.code]) || BROKEN;
  let type: string;
  let body: string;
  if (shape === 'ddi') {
    type = 'application/json; charset=utf-8';
    body = JSON.stringify({ errorCode: 'BadRequest', message: refusal.message } satisfies DdiErrorBody);
  } else if (shape === 'phone') {
    type = 'text/xml; charset=utf-8';
    body = renderPhoneError('BadRequest', refusal.message);
  } else {
    type = 'application/json; charset=utf-8';
    body = JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: null } } satisfies ErrorBody);
  }
  return (
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: ${type}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * The target of the request line a refused head starts with, or null. When Node refused the head
 * itself (a raw byte in the path, a malformed header), no request is in flight, but the error's
 * `rawPacket` (the data the parser was given, documented with `clientError`) starts with the
 * request line when the head came in one piece, as it does from a phone or a load balancer.
 */
function requestLineTarget(rawPacket: unknown): string | null {
  if (!Buffer.isBuffer(rawPacket)) return null;
  return REQUEST_LINE.exec(rawPacket.toString('latin1', 0, Math.min(rawPacket.length, 8192)))?.[1] ?? null;
}

/** A request line's method and target (the target up to the next space, whatever bytes it holds). */
const REQUEST_LINE = /^[A-Z]+ (\S+) /;
