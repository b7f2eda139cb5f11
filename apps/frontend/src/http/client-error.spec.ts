import { isPhonePath } from '../devices/lync/phone-paths';
import { clientErrorAnswer, refusedRequestUrl } from './client-error';

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
      const answer = parse(clientErrorAnswer('HPE_INVALID_EOF_STATE', '/RequestHandler/ucdevice.upx', listener));
      expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(answer.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(answer.body).toMatch(/<Response><Error>BadRequest<\/Error><Message>the request is not well-formed HTTP/);
      expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
      expect(answer.headers.connection).toBe('close');
    }
  });

  it('answers the external listener in XML when the head itself was refused (it serves phones only)', () => {
    const answer = parse(clientErrorAnswer('HPE_INVALID_HEADER_TOKEN', null, 'external'));
    expect([answer.statusLine, answer.headers['content-type']]).toEqual(['HTTP/1.1 400 Bad Request', 'text/xml; charset=utf-8']);
  });

  it("answers the admin API, and the internal listener's refused heads, in the admin API's JSON", () => {
    for (const url of ['/api/v1/rules', null]) {
      const answer = parse(clientErrorAnswer('HPE_INVALID_EOF_STATE', url, 'internal'));
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'BadRequest', message: expect.stringContaining('not well-formed HTTP'), details: null } });
    }
  });

  it("answers a DDI path in DDI's JSON", () => {
    const answer = parse(clientErrorAnswer('HPE_INVALID_EOF_STATE', '/DEFAULT/controller/v1/dev-1/deploymentBase/3/feedback', 'internal'));
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ errorCode: 'BadRequest', message: expect.any(String) });
  });

  it('says 431 for a head too large and 408 for a request too slow, with their admin codes', () => {
    const big = parse(clientErrorAnswer('HPE_HEADER_OVERFLOW', null, 'internal'));
    expect([big.statusLine, JSON.parse(big.body).error.code]).toEqual(['HTTP/1.1 431 Request Header Fields Too Large', 'HeadersTooLarge']);
    const slow = parse(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT', '/RequestHandler/ucdevice.upx', 'internal'));
    expect([slow.statusLine, slow.body.includes('<Error>BadRequest</Error>')]).toEqual(['HTTP/1.1 408 Request Timeout', true]);
  });

  it('answers nothing to a connection reset', () => {
    expect(clientErrorAnswer('ECONNRESET', '/api/v1/rules', 'internal')).toBeNull();
  });
});

describe('refusedRequestUrl', () => {
  it('is the URL of the request in flight, whose response Node attached to the socket', () => {
    expect(refusedRequestUrl({ _httpMessage: { req: { url: '/RequestHandler/ucdevice.upx' } } }, undefined)).toBe('/RequestHandler/ucdevice.upx');
  });

  it("is read from the refused head's request line, whatever bytes its target holds", () => {
    const head = Buffer.from('GET /DeviceUpdateFiles_Int/\xff\xfe/CPE.nbt HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
    expect(refusedRequestUrl({}, head)).toBe('/DeviceUpdateFiles_Int/\xff\xfe/CPE.nbt');
    expect(isPhonePath(refusedRequestUrl({}, head)!)).toBe(true);
  });

  it('is null when neither says', () => {
    expect(refusedRequestUrl({}, undefined)).toBeNull();
    expect(refusedRequestUrl({}, Buffer.from('\r\nHost: x\r\n'))).toBeNull();
  });
});
