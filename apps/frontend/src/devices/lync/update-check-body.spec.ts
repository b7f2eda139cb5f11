import { Readable } from 'node:stream';
import { MAX_REQUEST_BYTES } from '@ucupdates/protocol';
import Fastify, { type FastifyInstance, type FastifyRequest, type InjectOptions } from 'fastify';
import { bodyRead, readUpdateCheckBody } from './update-check-body';
import { UPDATE_CHECK_CONTENT_TYPES } from './update-check-routes';

/** What a handler saw: the body's kind and bytes, and the headers as they were given to it. */
function seen(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return {
    kind: Buffer.isBuffer(body) ? 'buffer' : typeof body,
    body: Buffer.isBuffer(body) ? body.toString('base64') : body,
    contentType: request.headers['content-type'],
    contentLength: request.headers['content-length'],
    transferEncoding: request.headers['transfer-encoding'],
  };
}

/** A Fastify instance with the update check's XML parser, its route as given. */
async function app(route: (fastify: FastifyInstance) => void): Promise<FastifyInstance> {
  const fastify = Fastify();
  fastify.addContentTypeParser(UPDATE_CHECK_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_request, body, done) => done(null, body));
  route(fastify);
  await fastify.ready();
  return fastify;
}

const stream = (...pieces: (string | Error)[]): Readable =>
  new Readable({
    read() {
      const piece = pieces.shift();
      if (piece === undefined) this.push(null);
      else if (piece instanceof Error) this.destroy(piece);
      else this.push(Buffer.from(piece));
    },
  });

const CHECK = '<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType></Request>';

/** [name, request]; a function for a request whose payload is a stream (made once per instance). */
const CASES: [string, () => Omit<InjectOptions, 'method' | 'url'>][] = [
  ['text/xml', () => ({ headers: { 'content-type': 'text/xml' }, payload: CHECK })],
  ['application/xml', () => ({ headers: { 'content-type': 'application/xml' }, payload: CHECK })],
  ['text/xml; charset=utf-8', () => ({ headers: { 'content-type': 'text/xml; charset=utf-8' }, payload: CHECK })],
  ['upper case, quoted charset, no space', () => ({ headers: { 'content-type': 'TEXT/XML;charset="UTF-8"' }, payload: CHECK })],
  ['spaces around the semicolon', () => ({ headers: { 'content-type': 'application/xml ; charset=utf-8' }, payload: CHECK })],
  ['charset utf-16 (left to Fastify)', () => ({ headers: { 'content-type': 'text/xml; charset=utf-16' }, payload: CHECK })],
  ['another parameter (left to Fastify)', () => ({ headers: { 'content-type': `text/xml; a=${'b'.repeat(100)}` }, payload: CHECK })],
  ['text/plain', () => ({ headers: { 'content-type': 'text/plain' }, payload: CHECK })],
  ['application/json', () => ({ headers: { 'content-type': 'application/json' }, payload: '{"a":1}' })],
  ['application/json, not JSON', () => ({ headers: { 'content-type': 'application/json' }, payload: CHECK })],
  ['an unknown type', () => ({ headers: { 'content-type': 'image/png' }, payload: CHECK })],
  ['an invalid type', () => ({ headers: { 'content-type': 'text/xml/x' }, payload: CHECK })],
  ['no Content-Type, a body', () => ({ payload: CHECK })],
  ['no Content-Type, no body', () => ({})],
  ['XML, empty body', () => ({ headers: { 'content-type': 'text/xml' }, payload: '' })],
  ['XML of exactly the limit', () => ({ headers: { 'content-type': 'text/xml' }, payload: 'x'.repeat(MAX_REQUEST_BYTES) })],
  ['XML one byte over the limit', () => ({ headers: { 'content-type': 'text/xml' }, payload: 'x'.repeat(MAX_REQUEST_BYTES + 1) })],
  ['Content-Length over the limit, small body', () => ({ headers: { 'content-type': 'text/xml', 'content-length': String(MAX_REQUEST_BYTES + 1) }, payload: 'x' })],
  ['Content-Length larger than the body', () => ({ headers: { 'content-type': 'text/xml', 'content-length': '10' }, payload: 'short' })],
  ['Content-Length smaller than the body', () => ({ headers: { 'content-type': 'text/xml', 'content-length': '3' }, payload: 'longer' })],
  ['Content-Length not a number', () => ({ headers: { 'content-type': 'text/xml', 'content-length': 'ten' }, payload: CHECK })],
  ['a stream in pieces (no Content-Length)', () => ({ headers: { 'content-type': 'text/xml' }, payload: stream('<Request>', '<DeviceType>UCPhone', '</DeviceType></Request>') })],
  ['a stream growing over the limit', () => ({ headers: { 'content-type': 'text/xml' }, payload: stream(...Array.from({ length: 5 }, () => 'x'.repeat(16 * 1024)), 'x') })],
  ['a stream that fails midway', () => ({ headers: { 'content-type': 'text/xml' }, payload: stream('<Request>', new Error('aborted')) })],
  ['a failing stream, XML left to Fastify', () => ({ headers: { 'content-type': 'text/xml; charset=latin1' }, payload: stream('<Request>', new Error('aborted')) })],
];

describe('readUpdateCheckBody: an update check body read as Fastify reads it', () => {
  let fastifys: FastifyInstance;
  let ours: FastifyInstance;

  beforeAll(async () => {
    // Fastify's body reader, as the update check used it before.
    fastifys = await app((fastify) => fastify.post('/check', async (request) => seen(request)));
    ours = await app((fastify) =>
      fastify.post('/check', { onRequest: readUpdateCheckBody }, async (request) => {
        bodyRead(request);
        return seen(request);
      }),
    );
  });

  afterAll(async () => {
    await fastifys.close();
    await ours.close();
  });

  it.each(CASES)('%s: the same answer', async (_name, make) => {
    const expected = await fastifys.inject({ method: 'POST', url: '/check', ...make() });
    const actual = await ours.inject({ method: 'POST', url: '/check', ...make() });
    expect({ status: actual.statusCode, connection: actual.headers.connection, body: actual.json() }).toEqual({
      status: expected.statusCode,
      connection: expected.headers.connection,
      body: expected.json(),
    });
  });

  it('reads the XML bodies itself and leaves every other one to Fastify', async () => {
    const parsers: string[] = [];
    const counting = await app((fastify) => {
      fastify.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
        parsers.push('text/plain');
        done(null, body);
      });
      fastify.post('/check', { onRequest: readUpdateCheckBody }, async (request) => {
        bodyRead(request);
        return seen(request);
      });
    });
    const plain = await counting.inject({ method: 'POST', url: '/check', headers: { 'content-type': 'text/plain' }, payload: CHECK });
    expect(plain.json()).toMatchObject({ kind: 'string', body: CHECK, contentType: 'text/plain' });
    const xml = await counting.inject({ method: 'POST', url: '/check', headers: { 'content-type': 'text/xml' }, payload: CHECK });
    // Read here: the handler got the bytes, and the headers as the phone sent them.
    expect(xml.json()).toEqual({
      kind: 'buffer',
      body: Buffer.from(CHECK).toString('base64'),
      contentType: 'text/xml',
      contentLength: String(CHECK.length),
    });
    expect(parsers).toEqual(['text/plain']);
    await counting.close();
  });

  it('refuses a Content-Length over the limit before reading anything', async () => {
    let pulled = 0;
    const body = new Readable({
      read() {
        pulled++;
        this.push(null);
      },
    });
    const response = await ours.inject({
      method: 'POST',
      url: '/check',
      headers: { 'content-type': 'text/xml', 'content-length': String(MAX_REQUEST_BYTES + 1) },
      payload: body,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(pulled).toBe(0);
  });
});
