import * as protocol from './index';
import { ProtocolError, quoteInput } from './protocol-error';

describe('ProtocolError', () => {
  it('carries the status, the XML error code and a message', () => {
    const error = new ProtocolError(413, 'RequestTooLarge', 'the request body is larger than 65536 bytes');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ProtocolError', status: 413, code: 'RequestTooLarge' });
    expect(error.message).toBe('the request body is larger than 65536 bytes');
  });
});

describe('quoteInput', () => {
  it('quotes the first 40 characters', () => {
    expect(quoteInput('a"b')).toBe('"a\\"b"');
    expect(quoteInput('x'.repeat(41))).toBe(`"${'x'.repeat(40)}…"`);
  });
});

describe('@ucupdates/protocol', () => {
  it('exports the agreed interface', () => {
    expect(protocol.MAX_REQUEST_BYTES).toBe(64 * 1024);
    expect(Object.keys(protocol).sort()).toEqual(
      [
        'FILE_LOCATION_FIELDS',
        'FOLDER_LOCATION_FIELDS',
        'MAX_REQUEST_BYTES',
        'ProtocolError',
        'filePath',
        'folderPath',
        'parseExternalFilePath',
        'parseFilePath',
        'parseRange',
        'parseUpdateCheckRequest',
        'renderPhoneError',
        'renderUpdateCheckResponse',
        'resolveModuleUpdateTypes',
        'signDownloadToken',
        'tokenSegment',
        'verifyDownloadToken',
      ].sort(),
    );
  });
});
