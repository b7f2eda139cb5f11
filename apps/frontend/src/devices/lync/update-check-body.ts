import { MAX_REQUEST_BYTES } from '@ucupdates/protocol';
import { errorCodes, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * The Content-Type values whose body the update-check routes read themselves: `text/xml` or
 * `application/xml`, with no parameter or `charset=utf-8` — what phones and the simulator send.
 * Each is one Fastify's parser table gives to the update check's XML parser
 * (UPDATE_CHECK_CONTENT_TYPES); every other value (another parameter, another charset, another
 * type, none) still goes to Fastify's parsers, and is answered exactly as before.
 */
const READ_HERE = /^(?:text|application)\/xml(?:[ \t]*;[ \t]*charset=(?:utf-8|"utf-8"))?$/i;

/**
 * What Fastify's `request.headers` shows while the body read here is on the request: no body to
 * parse, so Fastify goes from the hooks straight to the handler (see readUpdateCheckBody).
 */
const BODY_TAKEN = Object.freeze({ 'content-type': undefined, 'content-length': undefined, 'transfer-encoding': undefined });

type Done = (error?: Error) => void;

/**
 * The update-check routes' own onRequest hook: reads an XML body whole into `request.body`, with
 * the limits and refusals of Fastify's body reader (`parseAs: 'buffer'`, bodyLimit
 * MAX_REQUEST_BYTES) — a Content-Length over the limit refused with 413 before anything is read,
 * a body growing over it refused with 413 as soon as it does, a stream error (the phone gone
 * mid-body) a 400, a body shorter or longer than its Content-Length a 400; each refusal with
 * `Connection: close` and Fastify's own error, passed to `done` so it reaches the listener's
 * error handler and the phone gets the same XML refusal as before.
 *
 * Why not Fastify's parser: for every request body it runs, Fastify 5 makes an `AsyncResource`
 * and binds its callback to it, and on Node 20 each `bind` defines two `deprecate()`d accessors
 * (DEP0172): 5–6 % of an update check's CPU (docs/performance.md). Update checks need no async
 * context across the body read (they run without AsyncLocalStorage). Afterwards `request.headers`
 * shows no body (BODY_TAKEN), so Fastify calls the handler without parsing; the handler puts the
 * headers back with `bodyRead` before anything reads them.
 */
export function readUpdateCheckBody(request: FastifyRequest, reply: FastifyReply, done: Done): void {
  const raw = request.raw;
  const type = raw.headers['content-type'];
  if (type === undefined || !READ_HERE.test(type)) {
    done();
    return;
  }
  const refuse = (error: Error): void => {
    // As Fastify's reader: the phone may still be sending.
    void reply.header('connection', 'close');
    done(error);
  };
  const declared = Number(raw.headers['content-length']);
  if (declared > MAX_REQUEST_BYTES) {
    refuse(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = (): void => {
    raw.removeListener('data', onData);
    raw.removeListener('end', onEnd);
    raw.removeListener('error', onEnd);
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > MAX_REQUEST_BYTES) {
      stop();
      refuse(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (error?: Error & { statusCode?: number }): void => {
    stop();
    if (error != null) {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      refuse(error);
      return;
    }
    if (!Number.isNaN(declared) && received !== declared) {
      refuse(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    request.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
    request.headers = BODY_TAKEN;
    done();
  };
  raw.on('data', onData);
  raw.on('end', onEnd);
  raw.on('error', onEnd);
  raw.resume();
}

/**
 * The request's headers as the phone sent them again, once Fastify has passed the body read by
 * readUpdateCheckBody to the handler: the handler's first step. Fastify's `headers` setter keeps
 * what it is given as headers over the raw ones, and none when given none.
 */
export function bodyRead(request: FastifyRequest): void {
  (request as { headers: unknown }).headers = undefined;
}
