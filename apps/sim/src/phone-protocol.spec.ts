import type { PhoneIdentity } from './identities';
import { basicCredentials, downloadUrlOf, errorCodeOf, logUploadHeaders, parseCheckAnswer, ProtocolError, updateCheckBody } from './phone-protocol';

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
