import { clientErrorAnswer } from './client-error';

/** A socket whose request Node's parser refused: with the request in flight (its head was read), or none. */
const carrying = (url: string, headersSent = false) => ({ writable: true, _httpMessage: { req: { url }, headersSent } });
const noRequest = { writable: true, _httpMessage: null };
const cut = { code: 'HPE_INVALID_EOF_STATE' };

/** The answer split into its status line, headers and body. */
function parse(answer: string | null) {
  const [head, body] = answer!.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 2)]));
  return { statusLine, headers, body };
}

describe('clientErrorAnswer', () => {
  it('answers a phone path in XML, on either listener', () => {
    for (const listener of ['internal', 'external'] as const) {
      const answer = parse(clientErrorAnswer(cut, carrying('/RequestHandler/ucdevice.upx'), listener));
      expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(answer.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(answer.body).toMatch(/<Response><Error>BadRequest<\/Error><Message>the request is not well-formed HTTP/);
      expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
      expect(answer.headers.connection).toBe('close');
    }
  });

  it('answers anything on the external listener in XML, even a head it could not read (it serves phones only)', () => {
    const answer = parse(clientErrorAnswer({ code: 'HPE_INVALID_HEADER_TOKEN' }, noRequest, 'external'));
    expect([answer.statusLine, answer.headers['content-type']]).toEqual(['HTTP/1.1 400 Bad Request', 'text/xml; charset=utf-8']);
  });

  it("answers the admin API, and a head the internal listener could not read, in the admin API's JSON", () => {
    for (const socket of [carrying('/api/v1/rules'), noRequest]) {
      const answer = parse(clientErrorAnswer(cut, socket, 'internal'));
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'BadRequest', message: expect.stringContaining('not well-formed HTTP'), details: null } });
    }
  });

  it("answers a DDI path in DDI's JSON", () => {
    const answer = parse(clientErrorAnswer(cut, carrying('/DEFAULT/controller/v1/dev-1/deploymentBase/3/feedback'), 'internal'));
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ errorCode: 'BadRequest', message: expect.any(String) });
  });

  it("reads the path of a refused head from its request line, whatever bytes its target holds", () => {
    const rawPacket = Buffer.from('GET /DeviceUpdateFiles_Int/\xff\xfe/CPE.nbt HTTP/1.1\r\nHost: x\r\nX-Bad\x01: y\r\n\r\n', 'latin1');
    const answer = parse(clientErrorAnswer({ code: 'HPE_INVALID_HEADER_TOKEN', rawPacket }, noRequest, 'internal'));
    expect(answer.headers['content-type']).toBe('text/xml; charset=utf-8');
    const notARequestLine = parse(clientErrorAnswer({ code: 'HPE_INVALID_HEADER_TOKEN', rawPacket: Buffer.from('X-Bad\x01: y\r\n\r\n') }, noRequest, 'internal'));
    expect(notARequestLine.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('says 431 for a head too large and 408 for a request too slow, with their admin codes', () => {
    const big = parse(clientErrorAnswer({ code: 'HPE_HEADER_OVERFLOW' }, noRequest, 'internal'));
    expect([big.statusLine, JSON.parse(big.body).error.code]).toEqual(['HTTP/1.1 431 Request Header Fields Too Large', 'HeadersTooLarge']);
    const slow = parse(clientErrorAnswer({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, carrying('/RequestHandler/ucdevice.upx'), 'internal'));
    expect([slow.statusLine, slow.body.includes('<Error>BadRequest</Error>')]).toEqual(['HTTP/1.1 408 Request Timeout', true]);
  });

  it('writes nothing after a reset, on a closed socket, or when the answer to the request has begun', () => {
    expect(clientErrorAnswer({ code: 'ECONNRESET' }, carrying('/api/v1/rules'), 'internal')).toBeNull();
    expect(clientErrorAnswer(cut, { ...carrying('/api/v1/rules'), writable: false }, 'internal')).toBeNull();
    expect(clientErrorAnswer(cut, carrying('/RequestHandler/ucdevice.upx', true), 'internal')).toBeNull();
  });
});
