import type { PhoneIdentity } from './identities';
import { basicCredentials, CheckAnswerReader, downloadUrlOf, errorCodeOf, logUploadHeaders, parseCheckAnswer, ProtocolError, updateCheckBody } from './phone-protocol';

const phone: PhoneIdentity = {
  index: 3,
  deviceType: 'UCPhone',
  mac: null,
  serial: 'A6K0000003',
  brand: 'Aastra',
  model: '6725ip',
  revision: 'A',
  locale: 'DEU',
  userId: 'sip:phone0000003@contoso.com',
  testDevice: false,
  external: true,
  installed: {},
};

const sha = 'ab'.repeat(32);

describe('the phone side of the protocol', () => {
  it('sends its identity and installed modules', () => {
    const body = updateCheckBody(phone, { CPE: '4.0.7577.4000' }, '2026-11-27T08:00:00Z');
    expect(body).toContain('<DeviceType>UCPhone</DeviceType>');
    expect(body).toContain('<MacAddress></MacAddress>');
    expect(body).toContain('<SerialNumber>A6K0000003</SerialNumber>');
    expect(body).toContain('<Vendor>Aastra</Vendor>');
    expect(body).toContain('<UserId>sip:phone0000003@contoso.com</UserId>');
    expect(body).toMatch(/<Module>\s*<UpdateType>CPE<\/UpdateType>\s*<Filename>CPE\.nbt<\/Filename>\s*<Version>4\.0\.7577\.4000<\/Version>/);
  });

  it('reads an answer with nothing to do', () => {
    expect(parseCheckAnswer('<?xml version="1.0"?><Response>\n  <NumOfFiles>0</NumOfFiles>\n</Response>')).toEqual({ numOfFiles: 0, modules: [] });
  });

  it('reads an Install with its image, catalog and folders, and a RestoreBackup', () => {
    const ext = 'https://ext/DeviceUpdateFiles_Ext/~1.x/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE';
    const xml = `<Response><NumOfFiles>2</NumOfFiles><Modules>
      <Module><UpdateType>CPE</UpdateType><Action>Install</Action><Version>4.0.7577.4372</Version><Files>
        <File><Name>CPE.nbt</Name><Url>${ext}/CPE.nbt</Url><Size>10</Size><Sha256>${sha}</Sha256></File>
        <File><Name>a b&amp;c.cat</Name><Url>${ext}/a%20b%26c.cat</Url><Size>2</Size><Sha256>${sha}</Sha256></File>
      </Files><BaseURL></BaseURL><ExternalBaseURL>${ext}</ExternalBaseURL>
      <Filename>CPE.nbt</Filename><SignatureFilename>a b&amp;c.cat</SignatureFilename><Timestamp>x</Timestamp></Module>
      <Module><UpdateType>UCM</UpdateType><Action>RestoreBackup</Action><BaseURL>http://pool/DeviceUpdateFiles_Int/x</BaseURL><ExternalBaseURL/></Module>
    </Modules></Response>`;
    const answer = parseCheckAnswer(xml);
    expect(answer.numOfFiles).toBe(2);
    const [cpe, ucm] = answer.modules;
    expect(cpe).toMatchObject({ updateType: 'CPE', action: 'Install', version: '4.0.7577.4372', signatureFilename: 'a b&c.cat', baseUrl: '', externalBaseUrl: ext });
    expect(cpe.files[0]).toEqual({ name: 'CPE.nbt', url: `${ext}/CPE.nbt`, size: 10, sha256: sha });
    expect(ucm).toMatchObject({ updateType: 'UCM', action: 'RestoreBackup', files: [], baseUrl: 'http://pool/DeviceUpdateFiles_Int/x', externalBaseUrl: '' });
    // A phone outside appends the file's name to ExternalBaseURL; inside it has no BaseURL here.
    expect(downloadUrlOf(cpe, cpe.files[1], true)).toBe(`${ext}/a%20b%26c.cat`);
    expect(downloadUrlOf(cpe, cpe.files[1], false)).toBeNull();
  });

  it('refuses what is not such an answer', () => {
    const file = `<File><Name>a</Name><Url>http://p/a</Url><Size>1</Size><Sha256>${sha}</Sha256></File>`;
    const bad = [
      '<html>no</html>',
      '<Response><NumOfFiles>x</NumOfFiles></Response>',
      `<Response><NumOfFiles>2</NumOfFiles><Modules><Module><UpdateType>CPE</UpdateType><Action>Install</Action><Version>1</Version><Files>${file}</Files></Module></Modules></Response>`,
      `<Response><NumOfFiles>1</NumOfFiles><Modules><Module><UpdateType>CPE</UpdateType><Action>Explode</Action><Files>${file}</Files></Module></Modules></Response>`,
      `<Response><NumOfFiles>1</NumOfFiles><Modules><Module><UpdateType>CPE</UpdateType><Action>Install</Action><Version>1</Version><Files><File><Name>a</Name><Url>/rel</Url><Size>1</Size><Sha256>${sha}</Sha256></File></Files></Module></Modules></Response>`,
      '<Response><NumOfFiles>0</NumOfFiles><Modules><Module><UpdateType>CPE</UpdateType></Modules></Response>',
      // Version 1 answers: no BaseURL/ExternalBaseURL; and a folder that is not an absolute URL.
      `<Response><NumOfFiles>1</NumOfFiles><Modules><Module><UpdateType>CPE</UpdateType><Action>Install</Action><Version>1</Version><Files>${file}</Files></Module></Modules></Response>`,
      `<Response><NumOfFiles>1</NumOfFiles><Modules><Module><UpdateType>CPE</UpdateType><Action>Install</Action><Version>1</Version><Files>${file}</Files><BaseURL>/rel</BaseURL><ExternalBaseURL/></Module></Modules></Response>`,
    ];
    for (const xml of bad) expect(() => parseCheckAnswer(xml)).toThrow(ProtocolError);
  });

  it('reads error codes, names the device in log uploads, and encodes Lync credentials', () => {
    expect(errorCodeOf('<Response><Error>AnonymousAccessNotSupported</Error></Response>')).toBe('AnonymousAccessNotSupported');
    expect(errorCodeOf('<Response><NumOfFiles>0</NumOfFiles></Response>')).toBeNull();
    expect(logUploadHeaders(phone)).toMatchObject({ 'X-UC-DeviceType': 'UCPhone', 'X-UC-MacAddress': '', 'X-UC-SerialNumber': 'A6K0000003' });
    expect(Buffer.from(basicCredentials('sip:a@b.c', 'p:w').slice(6), 'base64').toString()).toBe('sip:a@b.c:p:w');
  });
});

describe('CheckAnswerReader', () => {
  const answer = (stamp: string, version = '4.0.7577.4372') =>
    Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?>\n<Response>\n  <NumOfFiles>1</NumOfFiles>\n  <Modules>\n    <Module>\n      <UpdateType>CPE</UpdateType>\n` +
        `      <Action>Install</Action>\n      <Version>${version}</Version>\n      <Files>\n        <File>\n          <Name>CPE.nbt</Name>\n` +
        `          <Url>http://pool/CPE.nbt</Url>\n          <Size>10</Size>\n          <Sha256>${sha}</Sha256>\n        </File>\n      </Files>\n` +
        `      <BaseURL>http://pool</BaseURL>\n      <ExternalBaseURL></ExternalBaseURL>\n      <Timestamp>${stamp}</Timestamp>\n    </Module>\n  </Modules>\n</Response>\n`,
    );

  it('reads an answer as parseCheckAnswer does, and the same answer at another time as the same reading', () => {
    const reader = new CheckAnswerReader();
    const first = answer('2026-12-03T10:00:00.000Z');
    const read = reader.read(first, 0, first.length);
    expect(read).toEqual(parseCheckAnswer(first.toString()));
    // Inside a larger buffer (a connection's read buffer), another timestamp: the known reading.
    const later = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), answer('2026-12-03T10:00:01.234Z'), Buffer.from('junk')]);
    expect(reader.read(later, 19, later.length - 4)).toBe(read);
    expect(Object.isFrozen(read.modules[0].files[0])).toBe(true);
  });

  it('reads anything else in full: another version, markup inside the timestamp, a broken answer', () => {
    const reader = new CheckAnswerReader();
    const first = answer('2026-12-03T10:00:00.000Z');
    const read = reader.read(first, 0, first.length);
    const other = answer('2026-12-03T10:00:00.000Z', '4.0.7577.4373');
    expect(reader.read(other, 0, other.length).modules[0].version).toBe('4.0.7577.4373');
    const marked = answer('2026-12-03</Timestamp><X>');
    expect(reader.read(marked, 0, marked.length)).not.toBe(read);
    const broken = Buffer.from(first.toString().replace('<NumOfFiles>1', '<NumOfFiles>2'));
    expect(() => reader.read(broken, 0, broken.length)).toThrow(ProtocolError);
    expect(reader.read(first, 0, first.length)).toBe(read);
  });
});
