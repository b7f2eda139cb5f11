import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderPhoneError, renderUpdateCheckResponse, type ResponseModule } from './update-check-response';

const BASE = 'http://pool.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE';
const EXTERNAL_BASE = 'https://ext.contoso.com/DeviceUpdateFiles_Ext/~1795852800.abc/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE';

const CPE: ResponseModule = {
  updateType: 'CPE',
  action: 'Install',
  version: '4.0.7577.4372',
  files: [
    { name: 'CPE.nbt', url: `${BASE}/CPE.nbt`, size: 27262976, sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
    { name: 'CPE.cat', url: `${BASE}/CPE.cat`, size: 2048, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  ],
  baseUrl: BASE,
  externalBaseUrl: EXTERNAL_BASE,
  filename: 'CPE.nbt',
  signatureFilename: 'CPE.cat',
  timestamp: '2026-11-27T08:00:01Z',
};

const RESTORE: ResponseModule = {
  updateType: 'Tanjay',
  action: 'RestoreBackup',
  version: '1.0.522.101',
  files: [],
  baseUrl: '',
  externalBaseUrl: '',
  filename: null,
  signatureFilename: null,
  timestamp: '2026-11-27T08:00:02Z',
};

const reader = new XMLParser({ parseTagValue: false, processEntities: true, isArray: (name) => ['Module', 'File'].includes(name) });

describe('renderUpdateCheckResponse', () => {
  it('answers "no update" with NumOfFiles 0 and no <Modules>', () => {
    expect(renderUpdateCheckResponse([])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<Response>\n  <NumOfFiles>0</NumOfFiles>\n</Response>\n',
    );
  });

  it('renders the answer of phone-protocol.md, element for element', () => {
    expect(renderUpdateCheckResponse([CPE])).toBe(`<?xml version="1.0" encoding="utf-8"?>
<Response>
  <NumOfFiles>2</NumOfFiles>
  <Modules>
    <Module>
      <UpdateType>CPE</UpdateType>
      <Action>Install</Action>
      <Version>4.0.7577.4372</Version>
      <Files>
        <File>
          <Name>CPE.nbt</Name>
          <Url>${BASE}/CPE.nbt</Url>
          <Size>27262976</Size>
          <Sha256>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</Sha256>
        </File>
        <File>
          <Name>CPE.cat</Name>
          <Url>${BASE}/CPE.cat</Url>
          <Size>2048</Size>
          <Sha256>e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855</Sha256>
        </File>
      </Files>
      <BaseURL>${BASE}</BaseURL>
      <ExternalBaseURL>${EXTERNAL_BASE}</ExternalBaseURL>
      <Filename>CPE.nbt</Filename>
      <SignatureFilename>CPE.cat</SignatureFilename>
      <Timestamp>2026-11-27T08:00:01Z</Timestamp>
    </Module>
  </Modules>
</Response>
`);
  });

  it('renders RestoreBackup without <Files>, with empty base URLs when not known, and leaves out a null Filename and SignatureFilename', () => {
    const xml = renderUpdateCheckResponse([RESTORE]);
    expect(xml).toContain(`    <Module>
      <UpdateType>Tanjay</UpdateType>
      <Action>RestoreBackup</Action>
      <Version>1.0.522.101</Version>
      <BaseURL></BaseURL>
      <ExternalBaseURL></ExternalBaseURL>
      <Timestamp>2026-11-27T08:00:02Z</Timestamp>
    </Module>`);
    expect(xml).toContain('<NumOfFiles>0</NumOfFiles>');
    expect(xml).not.toMatch(/<\/?Files/);
    expect(xml).not.toContain('<Filename');
    expect(xml).not.toContain('<SignatureFilename');
  });

  it('renders a Filename given with RestoreBackup (the image rolled back), in its place', () => {
    const xml = renderUpdateCheckResponse([{ ...RESTORE, filename: 'Tanjay.nbt', signatureFilename: 'Tanjay.cat' }]);
    expect(xml).toContain(`      <ExternalBaseURL></ExternalBaseURL>
      <Filename>Tanjay.nbt</Filename>
      <SignatureFilename>Tanjay.cat</SignatureFilename>
      <Timestamp>`);
  });

  it('counts the <File> elements of the whole answer', () => {
    const other: ResponseModule = { ...CPE, updateType: 'UCP', files: [CPE.files[0]] };
    const xml = renderUpdateCheckResponse([CPE, RESTORE, other]);
    expect(xml).toContain('<NumOfFiles>3</NumOfFiles>');
    expect(xml.match(/<File>/g)).toHaveLength(3);
    const parsed = reader.parse(xml).Response;
    expect(parsed.Modules.Module.map((module: { UpdateType: string }) => module.UpdateType)).toEqual(['CPE', 'Tanjay', 'UCP']);
  });

  it('escapes & < > " \' in every value, so that the answer reads back as given', () => {
    const nasty = `a&b<c>d"e'f]]>&amp;`;
    const module: ResponseModule = {
      updateType: nasty,
      action: 'Install',
      version: nasty,
      files: [{ name: nasty, url: `http://h/x?a=1&t=${nasty}`, size: 1, sha256: nasty }],
      baseUrl: `http://h/${nasty}`,
      externalBaseUrl: `https://h/~${nasty}`,
      filename: nasty,
      signatureFilename: nasty,
      timestamp: nasty,
    };
    const xml = renderUpdateCheckResponse([module]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<UpdateType>a&amp;b&lt;c&gt;d&quot;e&apos;f]]&gt;&amp;amp;</UpdateType>');
    const read = reader.parse(xml).Response.Modules.Module[0];
    expect(read.UpdateType).toBe(nasty);
    expect(read.Files.File[0]).toEqual({ Name: nasty, Url: `http://h/x?a=1&t=${nasty}`, Size: '1', Sha256: nasty });
    expect(read.Timestamp).toBe(nasty);
    expect([read.BaseURL, read.ExternalBaseURL]).toEqual([`http://h/${nasty}`, `https://h/~${nasty}`]);
  });

  it('replaces characters XML cannot carry, so that the answer stays well-formed', () => {
    const xml = renderUpdateCheckResponse([{ ...RESTORE, version: 'a\u0000b\u001Bc\uFFFFd\uD800e' }]);
    expect(xml).toContain('<Version>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe</Version>');
    expect(XMLValidator.validate(xml)).toBe(true);
  });
});

describe('renderPhoneError', () => {
  it('renders the error of phone-protocol.md on one line', () => {
    expect(renderPhoneError('BadRequest', '<Model> is missing or empty')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n' +
        '<Response><Error>BadRequest</Error><Message>&lt;Model&gt; is missing or empty</Message></Response>\n',
    );
  });

  it('leaves out <Message> when there is none', () => {
    expect(renderPhoneError('AnonymousAccessNotSupported')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<Response><Error>AnonymousAccessNotSupported</Error></Response>\n',
    );
  });

  it('renders an empty message as an empty <Message>', () => {
    expect(renderPhoneError('AccessDenied', '')).toContain('<Error>AccessDenied</Error><Message></Message></Response>');
  });

  it('escapes the code and the message', () => {
    const xml = renderPhoneError(`x<y&"'`, `"a&b" <c> 'd'\u0000`);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(reader.parse(xml).Response).toEqual({ Error: `x<y&"'`, Message: `"a&b" <c> 'd'\uFFFD` });
  });
});
