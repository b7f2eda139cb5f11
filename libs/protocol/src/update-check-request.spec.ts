import { ProtocolError } from './protocol-error';
import { MAX_REQUEST_BYTES, parseUpdateCheckRequest, resolveModuleUpdateTypes, type UpdateCheckRequest } from './update-check-request';

/** The request of phone-protocol.md, comments and all. */
const SPEC_EXAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<Request>
  <DeviceType>UCPhone</DeviceType>
  <MacAddress>00-04-F2-AB-CD-EF</MacAddress>   <!-- may be empty -->
  <SerialNumber>78491-322-0002937</SerialNumber> <!-- may be empty; MAC or serial must be present -->
  <Vendor>Polycom</Vendor>                      <!-- matches a rule's Brand -->
  <Model>CX600</Model>
  <Revision>A</Revision>
  <Locale>ENU</Locale>
  <UserId>sip:alice@contoso.com</UserId>         <!-- optional: the user signed in on the phone -->
  <Modules>
    <Module>
      <UpdateType>CPE</UpdateType>
      <Filename>CPE.nbt</Filename>               <!-- file of the installed update -->
      <Version>4.0.7577.4366</Version>           <!-- installed version -->
      <Timestamp>2026-11-27T08:00:00Z</Timestamp>
    </Module>
  </Modules>
</Request>`;

const SPEC_EXAMPLE_PARSED: UpdateCheckRequest = {
  deviceType: 'UCPhone',
  macAddress: '00-04-F2-AB-CD-EF',
  serialNumber: '78491-322-0002937',
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  userId: 'sip:alice@contoso.com',
  modules: [{ updateType: 'CPE', filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: '2026-11-27T08:00:00Z' }],
};

const IDENTITY = '<DeviceType>UCPhone</DeviceType><MacAddress>0004f2abcdef</MacAddress><Vendor>Polycom</Vendor><Model>CX600</Model>';

/** A request holding `inner` (identity elements and modules) in its <Request>. */
function request(inner: string = IDENTITY): string {
  return `<?xml version="1.0" encoding="utf-8"?><Request>${inner}</Request>`;
}

function modules(...inner: string[]): string {
  return `<Modules>${inner.map((module) => `<Module>${module}</Module>`).join('')}</Modules>`;
}

/** The refusal of a body; fails the test if it is accepted or refused with anything but a ProtocolError. */
function refusal(body: string | Buffer): ProtocolError {
  let error: unknown;
  try {
    parseUpdateCheckRequest(body);
  } catch (thrown) {
    error = thrown;
  }
  if (!(error instanceof ProtocolError)) {
    throw new Error(`expected a ProtocolError, got ${error === undefined ? 'an answer' : String(error)}`);
  }
  return error;
}

function badRequest(body: string | Buffer, why: string | RegExp): void {
  const error = refusal(body);
  expect(error.status).toBe(400);
  expect(error.code).toBe('BadRequest');
  if (typeof why === 'string') expect(error.message).toContain(why);
  else expect(error.message).toMatch(why);
}

describe('parseUpdateCheckRequest', () => {
  describe('reads', () => {
    it('the request of phone-protocol.md', () => {
      expect(parseUpdateCheckRequest(SPEC_EXAMPLE)).toEqual(SPEC_EXAMPLE_PARSED);
    });

    it('a Buffer, with or without a UTF-8 byte order mark', () => {
      expect(parseUpdateCheckRequest(Buffer.from(SPEC_EXAMPLE))).toEqual(SPEC_EXAMPLE_PARSED);
      expect(parseUpdateCheckRequest(Buffer.from(`\uFEFF${SPEC_EXAMPLE}`))).toEqual(SPEC_EXAMPLE_PARSED);
      expect(parseUpdateCheckRequest(`\uFEFF${SPEC_EXAMPLE}`)).toEqual(SPEC_EXAMPLE_PARSED);
    });

    it('a request without an XML declaration, or one naming UTF-8 in any case', () => {
      expect(parseUpdateCheckRequest(`<Request>${IDENTITY}</Request>`).model).toBe('CX600');
      expect(parseUpdateCheckRequest(`<?xml version='1.0' encoding='UTF-8'?><Request>${IDENTITY}</Request>`).model).toBe('CX600');
      expect(parseUpdateCheckRequest(`<?xml version="1.0"?><Request>${IDENTITY}</Request>`).model).toBe('CX600');
    });

    it('the smallest request: no Revision, Locale, UserId or Modules', () => {
      expect(parseUpdateCheckRequest(request())).toEqual({
        deviceType: 'UCPhone',
        macAddress: '00-04-F2-AB-CD-EF',
        serialNumber: null,
        vendor: 'Polycom',
        model: 'CX600',
        revision: '',
        locale: '',
        userId: null,
        modules: [],
      });
    });

    it.each([
      ['00-04-F2-AB-CD-EF', '00-04-F2-AB-CD-EF'],
      ['00:04:f2:ab:cd:ef', '00-04-F2-AB-CD-EF'],
      ['0004f2abcdef', '00-04-F2-AB-CD-EF'],
      ['  00-04-f2-ab-cd-ef\n', '00-04-F2-AB-CD-EF'],
    ])('the MAC address %j as %j', (text, stored) => {
      const parsed = parseUpdateCheckRequest(
        request(`<DeviceType>UCPhone</DeviceType><MacAddress>${text}</MacAddress><Vendor>Polycom</Vendor><Model>CX600</Model>`),
      );
      expect(parsed.macAddress).toBe(stored);
    });

    it('an empty MAC address as null when there is a serial number, and the other way round', () => {
      const serialOnly = parseUpdateCheckRequest(
        request(
          '<DeviceType>UCPhone</DeviceType><MacAddress></MacAddress><SerialNumber>07823-A345</SerialNumber>' +
            '<Vendor>P</Vendor><Model>M</Model>',
        ),
      );
      expect(serialOnly.macAddress).toBeNull();
      expect(serialOnly.serialNumber).toBe('07823-A345');
      const macOnly = parseUpdateCheckRequest(request(`${IDENTITY}<SerialNumber>  </SerialNumber>`));
      expect(macOnly.macAddress).toBe('00-04-F2-AB-CD-EF');
      expect(macOnly.serialNumber).toBeNull();
    });

    it('empty optional values: Revision and Locale as "", UserId and Timestamp as null', () => {
      const parsed = parseUpdateCheckRequest(
        request(`${IDENTITY}<Revision/><Locale> </Locale><UserId></UserId>${modules('<UpdateType>CPE</UpdateType><Timestamp/>')}`),
      );
      expect(parsed).toMatchObject({ revision: '', locale: '', userId: null });
      expect(parsed.modules).toEqual([{ updateType: 'CPE', filename: '', version: '', timestamp: null }]);
    });

    it('trims every value, blanks and line breaks alike', () => {
      const parsed = parseUpdateCheckRequest(
        request(
          '<DeviceType>\n  UCPhone\n</DeviceType><SerialNumber>\t78491\t</SerialNumber>' +
            '<Vendor> Polycom </Vendor><Model>\r\nCX600\r\n</Model>' +
            `<Revision> A </Revision><Locale> ENU </Locale><UserId> sip:alice@contoso.com </UserId>` +
            modules('<UpdateType> CPE </UpdateType><Filename> CPE.nbt </Filename><Version> 4.0 </Version><Timestamp> t </Timestamp>'),
        ),
      );
      expect(parsed).toEqual({
        deviceType: 'UCPhone',
        macAddress: null,
        serialNumber: '78491',
        vendor: 'Polycom',
        model: 'CX600',
        revision: 'A',
        locale: 'ENU',
        userId: 'sip:alice@contoso.com',
        modules: [{ updateType: 'CPE', filename: 'CPE.nbt', version: '4.0', timestamp: 't' }],
      });
    });

    it('values that look like numbers as the strings they are', () => {
      const parsed = parseUpdateCheckRequest(
        request(
          '<DeviceType>1</DeviceType><SerialNumber>007</SerialNumber><Vendor>0x10</Vendor><Model>600</Model><Revision>1e5</Revision>' +
            '<Locale>true</Locale>' +
            modules('<UpdateType>0</UpdateType><Version>4.0</Version>', '<UpdateType>2</UpdateType><Version>1.10</Version>'),
        ),
      );
      expect(parsed).toMatchObject({ deviceType: '1', serialNumber: '007', vendor: '0x10', model: '600', revision: '1e5', locale: 'true' });
      expect(parsed.modules.map((module) => [module.updateType, module.version])).toEqual([
        ['0', '4.0'],
        ['2', '1.10'],
      ]);
    });

    it('several modules, in order', () => {
      const parsed = parseUpdateCheckRequest(
        request(
          IDENTITY + modules('<UpdateType>CPE</UpdateType><Version>1</Version>', '<UpdateType>Tanjay</UpdateType><Version>2</Version>'),
        ),
      );
      expect(parsed.modules.map((module) => module.updateType)).toEqual(['CPE', 'Tanjay']);
    });

    it('ignores unknown elements, wherever they are and whatever they hold', () => {
      const parsed = parseUpdateCheckRequest(
        request(
          `<Firmware><Bank n="1"><Image>x</Image></Bank></Firmware>${IDENTITY}` +
            '<Future>text</Future><toString>x</toString><hasOwnProperty/>' +
            `<Modules><Note>hi</Note><Module><UpdateType>CPE</UpdateType><Checksum><Sha1>ab</Sha1></Checksum></Module><Extra/></Modules>`,
        ),
      );
      expect(parsed.model).toBe('CX600');
      expect(parsed.modules).toEqual([{ updateType: 'CPE', filename: '', version: '', timestamp: null }]);
    });

    it('ignores attributes, comments, processing instructions and text between elements', () => {
      const parsed = parseUpdateCheckRequest(
        `<?xml version="1.0"?><!-- c --><?phone x?><Request id="1" Model="nope">stray<!-- <Model>X</Model> -->` +
          `<DeviceType kind="a>b">UCPhone</DeviceType><MacAddress>0004f2abcdef</MacAddress><Vendor>Polycom</Vendor>` +
          `<Model><!-- c -->CX<?pi?>600</Model></Request>`,
      );
      expect(parsed).toMatchObject({ deviceType: 'UCPhone', model: 'CX600' });
    });

    it('ignores namespaces, prefixed or default', () => {
      const prefixed = `<u:Request xmlns:u="urn:ucupdates:phone">
        <u:DeviceType>UCPhone</u:DeviceType><u:MacAddress>0004f2abcdef</u:MacAddress><u:Vendor>Polycom</u:Vendor><u:Model>CX600</u:Model>
        <u:Modules><u:Module><u:UpdateType>CPE</u:UpdateType></u:Module></u:Modules></u:Request>`;
      expect(parseUpdateCheckRequest(prefixed)).toMatchObject({ deviceType: 'UCPhone', model: 'CX600', modules: [{ updateType: 'CPE' }] });
      const defaulted = `<Request xmlns="urn:ucupdates:phone">${IDENTITY}</Request>`;
      expect(parseUpdateCheckRequest(defaulted).model).toBe('CX600');
    });

    it('CDATA verbatim, with text around it in document order', () => {
      const parsed = parseUpdateCheckRequest(
        request(`${IDENTITY}<UserId><![CDATA[ sip:a&amp;b<c>@contoso.com ]]></UserId><Locale>E<![CDATA[N]]>U</Locale>`),
      );
      expect(parsed.userId).toBe('sip:a&amp;b<c>@contoso.com');
      expect(parsed.locale).toBe('ENU');
    });

    it('the predefined entities and character references in text', () => {
      const parsed = parseUpdateCheckRequest(
        request(`${IDENTITY}<UserId>sip:a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;@x</UserId>`),
      );
      expect(parsed.userId).toBe('sip:a&b<>"\'AB\u{1F600}@x');
    });

    it('a body of exactly MAX_REQUEST_BYTES', () => {
      const body = request(IDENTITY);
      const padded = body + ' '.repeat(MAX_REQUEST_BYTES - Buffer.byteLength(body));
      expect(Buffer.byteLength(padded)).toBe(MAX_REQUEST_BYTES);
      expect(parseUpdateCheckRequest(padded).model).toBe('CX600');
      expect(parseUpdateCheckRequest(Buffer.from(padded)).model).toBe('CX600');
    });

    it('256 modules, and elements nested 32 deep', () => {
      const many = Array.from({ length: 256 }, (_, i) => `<UpdateType>T${i}</UpdateType>`);
      expect(parseUpdateCheckRequest(request(`${IDENTITY}${modules(...many)}`)).modules).toHaveLength(256);
      // Request is level 1: 31 more levels of an unknown element.
      const deep = `${'<a>'.repeat(31)}${'</a>'.repeat(31)}`;
      expect(parseUpdateCheckRequest(request(`${IDENTITY}${deep}`)).model).toBe('CX600');
    });

    it('a tag with thousands of attributes (they are ignored)', () => {
      const attributes = Array.from({ length: 5000 }, (_, i) => ` a${i}="${i}"`).join('');
      expect(parseUpdateCheckRequest(`<Request${attributes}>${IDENTITY}</Request>`).model).toBe('CX600');
    });
  });

  describe('modules without UpdateType', () => {
    it('reads one by its Filename, UpdateType null', () => {
      const parsed = parseUpdateCheckRequest(
        request(IDENTITY + modules('<Filename>CPE.nbt</Filename><Version>4.0</Version>', '<UpdateType> </UpdateType><Filename>UCS.bin</Filename>')),
      );
      expect(parsed.modules).toEqual([
        { updateType: null, filename: 'CPE.nbt', version: '4.0', timestamp: null },
        { updateType: null, filename: 'UCS.bin', version: '', timestamp: null },
      ]);
    });

    it('finds the update type by the image file name, else by the file name\'s base', () => {
      const images: Record<string, string> = { 'cpe.nbt': 'CPE', 'ucs image.bin': 'UCS' };
      const byImage = (name: string) => images[name.toLowerCase()];
      const resolved = resolveModuleUpdateTypes(
        [
          { updateType: null, filename: 'CPE.NBT', version: '1', timestamp: null },
          { updateType: null, filename: 'ucs image.bin', version: '2', timestamp: null },
          { updateType: null, filename: 'Tanjay.nbt', version: '3', timestamp: null },
          { updateType: null, filename: 'archive.tar.gz', version: '4', timestamp: null },
          { updateType: null, filename: 'NoExtension', version: '5', timestamp: null },
          { updateType: null, filename: '.hidden', version: '6', timestamp: null },
          { updateType: 'Other', filename: 'CPE.nbt', version: '7', timestamp: null },
        ],
        byImage,
      );
      expect(resolved.map((module) => module.updateType)).toEqual(['CPE', 'UCS', 'Tanjay', 'archive.tar', 'NoExtension', '.hidden', 'Other']);
    });

    it('refuses two modules that end up with one update type, case-insensitively', () => {
      const twice = () =>
        resolveModuleUpdateTypes(
          [
            { updateType: 'cpe', filename: '', version: '1', timestamp: null },
            { updateType: null, filename: 'Firmware.bin', version: '2', timestamp: null },
          ],
          () => 'CPE',
        );
      expect(twice).toThrow(ProtocolError);
      expect(twice).toThrow('<Module> #2: <Filename> "Firmware.bin" is of UpdateType "CPE", which another <Module> lists');
      expect(() =>
        resolveModuleUpdateTypes(
          [
            { updateType: null, filename: 'CPE.nbt', version: '1', timestamp: null },
            { updateType: null, filename: 'cpe.cat', version: '2', timestamp: null },
          ],
          () => undefined,
        ),
      ).toThrow('<Module> #2');
    });
  });

  describe('refuses with 400', () => {
    it.each([
      ['an empty body', ''],
      ['blanks', '  \n '],
      ['text', 'hello'],
      ['JSON', '{"DeviceType":"UCPhone"}'],
      ['HTML', '<html><body>hi</body>'],
      ['an unclosed element', `<Request>${IDENTITY}`],
      ['mismatched tags', `<Request>${IDENTITY}</Requests>`],
      ['two roots', `<Request>${IDENTITY}</Request><Request/>`],
      ['text after the root', `<Request>${IDENTITY}</Request>trailing`],
      ['a bare ampersand', request(`${IDENTITY}<UserId>a & b</UserId>`)],
      ['an unclosed CDATA section', `<Request>${IDENTITY}<![CDATA[abc</Request>`],
      ['an invalid tag name', `<Request>${IDENTITY}<1a/></Request>`],
    ])('a body that is not well-formed XML: %s', (_, body) => {
      badRequest(body, /XML|element/);
    });

    it('gives the line of a well-formedness error', () => {
      badRequest(`<Request>\n${IDENTITY}\n<Model>\n</Request>`, /not well-formed XML: .*\(line \d+\)/);
    });

    it.each([
      ['<Response/>', 'the root element must be <Request>, not <Response>'],
      [`<request>${IDENTITY}</request>`, 'the root element must be <Request>, not <request>'],
      [`<Requests>${IDENTITY}</Requests>`, 'not <Requests>'],
    ])('the root element %j', (body, why) => {
      badRequest(body, why);
    });

    it.each(['DeviceType', 'Vendor', 'Model'])('a request without <%s>, or with it empty', (name) => {
      const element = new RegExp(`<${name}>[^<]*</${name}>`);
      for (const replacement of ['', `<${name}>  </${name}>`, `<${name}/>`]) {
        badRequest(request(IDENTITY.replace(element, replacement)), `<${name}> is missing or empty`);
      }
    });

    it('element names compared case-sensitively', () => {
      badRequest(request(IDENTITY.replace(/Model>/g, 'model>')), '<Model> is missing or empty');
      badRequest(request(IDENTITY.replace(/MacAddress>/g, 'MACAddress>')), 'needs a <MacAddress> or a <SerialNumber>');
    });

    it('a request with neither MAC address nor serial number', () => {
      const noMac = '<DeviceType>UCPhone</DeviceType><Vendor>Polycom</Vendor><Model>CX600</Model>';
      badRequest(request(noMac), 'the request needs a <MacAddress> or a <SerialNumber>');
      badRequest(request(`${noMac}<MacAddress/><SerialNumber> </SerialNumber>`), 'needs a <MacAddress> or a <SerialNumber>');
    });

    it.each([
      ['00-04-F2-AB-CD', '5 pairs; at least 6 are needed'],
      ['00-04-F2:AB-CD-EF', 'expected hex pairs'],
      ['not a mac', 'expected hex pairs'],
    ])('the MAC address %j, naming it', (mac, why) => {
      const error = refusal(request(`${IDENTITY.replace('0004f2abcdef', mac)}`));
      expect(error.status).toBe(400);
      expect(error.message).toContain('<MacAddress>');
      expect(error.message).toContain(JSON.stringify(mac));
      expect(error.message).toContain(why);
    });

    it.each(['078 23', '078/23', 'Grüße', 'a+b', '07.823'])('the serial number %j, naming it', (serial) => {
      const error = refusal(request(`${IDENTITY}<SerialNumber>${serial}</SerialNumber>`));
      expect(error.status).toBe(400);
      expect(error.message).toContain('<SerialNumber>');
      expect(error.message).toContain(JSON.stringify(serial));
    });

    it('a serial number longer than the audit keeps (128 characters)', () => {
      expect(parseUpdateCheckRequest(request(`${IDENTITY}<SerialNumber>${'S'.repeat(128)}</SerialNumber>`)).serialNumber).toHaveLength(128);
      badRequest(request(`${IDENTITY}<SerialNumber>${'S'.repeat(129)}</SerialNumber>`), 'longer than 128 characters');
    });

    it('an invalid serial number even when the MAC address is fine', () => {
      badRequest(request(`${IDENTITY}<SerialNumber>a b</SerialNumber>`), '<SerialNumber> "a b" is not a serial number');
    });

    it('a module with neither UpdateType nor Filename (or both empty)', () => {
      badRequest(request(`${IDENTITY}${modules('<Version>1.0</Version>')}`), '<Module> #1: needs an <UpdateType> or a <Filename>');
      badRequest(request(IDENTITY + modules('<UpdateType>CPE</UpdateType>', '<UpdateType> </UpdateType><Filename/>')), '<Module> #2: needs');
      badRequest(request(`${IDENTITY}<Modules><Module/></Modules>`), 'needs an <UpdateType> or a <Filename>');
    });

    it.each(['DeviceType', 'MacAddress', 'SerialNumber', 'Vendor', 'Model', 'Revision', 'Locale', 'UserId'])(
      'a request with two <%s>',
      (name) => {
        const twice = `<${name}>x</${name}><${name}>x</${name}>`;
        badRequest(request(`${IDENTITY}<SerialNumber>1</SerialNumber>${twice}`), `<${name}> appears more than once`);
      },
    );

    it('a request whose <Model> appears twice, even with the same value or in two namespaces', () => {
      badRequest(request(`${IDENTITY}<Model>CX600</Model>`), '<Model> appears more than once');
      badRequest(request(`${IDENTITY}<x:Model xmlns:x="urn:x">CX600</x:Model>`), '<Model> appears more than once');
    });

    it('two <Modules>, a module field twice, or one UpdateType in two modules', () => {
      badRequest(
        request(IDENTITY + modules('<UpdateType>A</UpdateType>') + modules('<UpdateType>B</UpdateType>')),
        '<Modules> appears more than once',
      );
      badRequest(
        request(`${IDENTITY}${modules('<UpdateType>A</UpdateType><Version>1</Version><Version>2</Version>')}`),
        '<Module> #1: <Version> appears more than once',
      );
      badRequest(
        request(IDENTITY + modules('<UpdateType>CPE</UpdateType>', '<UpdateType>cpe</UpdateType>')),
        'UpdateType "cpe" is listed in more than one <Module>',
      );
    });

    it('an identity element holding elements instead of text', () => {
      badRequest(request(`${IDENTITY}<Locale><Name>ENU</Name></Locale>`), '<Locale> must hold text, not the element <Name>');
    });

    it.each([
      ['an undefined entity', '&foo;'],
      ['a reference to NUL', '&#0;'],
      ['a reference to a control character', '&#x1B;'],
      ['a reference past U+10FFFF', '&#x110000;'],
      ['a reference to a surrogate', '&#xD800;'],
      ['a huge reference', `&#${'9'.repeat(400)};`],
    ])('%s in a value', (_, reference) => {
      badRequest(request(`${IDENTITY}<UserId>a${reference}b</UserId>`), /XML|reference/);
    });

    it.each([
      ['ISO-8859-1', '<?xml version="1.0" encoding="ISO-8859-1"?>'],
      ['UTF-16', "<?xml version='1.0' encoding='UTF-16'?>"],
      ['utf8', '<?xml version="1.0" encoding="utf8"?>'],
    ])('an XML declaration naming the encoding %s', (encoding, declaration) => {
      badRequest(`${declaration}<Request>${IDENTITY}</Request>`, `the encoding "${encoding}"; requests must be UTF-8`);
    });

    it('a body that is not UTF-8', () => {
      badRequest(Buffer.from(`<Request>${IDENTITY}<UserId>caf\xe9</UserId></Request>`, 'latin1'), 'not valid UTF-8');
      badRequest(Buffer.from(`\uFEFF<Request>${IDENTITY}</Request>`, 'utf16le'), 'not valid UTF-8');
    });

    it.each([
      ['NUL', '\u0000'],
      ['a control character', '\u0007'],
      ['U+FFFF', '\uFFFF'],
      ['an unpaired surrogate', '\uD800'],
    ])('%s anywhere in the body, with its line', (_, character) => {
      const body = `<Request>\n${IDENTITY}\n<UserId>a${character}</UserId></Request>`;
      badRequest(body, /^the character U\+[0-9A-F]{4} on line 3 is not allowed in XML$/);
    });

    it('element names that could reach JavaScript object internals', () => {
      for (const name of ['__proto__', 'constructor', 'prototype']) {
        badRequest(request(`${IDENTITY}<${name}><Model>evil</Model></${name}>`), 'could not be read');
      }
      expect(({} as Record<string, unknown>).Model).toBeUndefined();
    });
  });

  describe('hostile bodies', () => {
    it('refuses a body of MAX_REQUEST_BYTES + 1 with 413, as a string or a Buffer', () => {
      const body = request(IDENTITY);
      const padded = body + ' '.repeat(MAX_REQUEST_BYTES + 1 - Buffer.byteLength(body));
      for (const form of [padded, Buffer.from(padded)]) {
        const error = refusal(form);
        expect(error.status).toBe(413);
        expect(error.code).toBe('RequestTooLarge');
        expect(error.message).toContain(String(MAX_REQUEST_BYTES));
      }
    });

    it('counts the bytes of a string, not its characters', () => {
      const body = request(`${IDENTITY}<UserId>${'é'.repeat(MAX_REQUEST_BYTES / 2)}</UserId>`);
      expect(body.length).toBeLessThan(MAX_REQUEST_BYTES);
      expect(refusal(body).status).toBe(413);
    });

    it('refuses a million elements with 413 before reading any', () => {
      const error = refusal(`<Request>${'<a/>'.repeat(1_000_000)}</Request>`);
      expect(error.status).toBe(413);
    });

    it('refuses 10,000 levels of nesting, open or closed, without a stack overflow', () => {
      badRequest(`<Request>${'<a>'.repeat(10_000)}`, 'nested deeper than 32 levels');
      badRequest('<Request>'.repeat(7_000), 'nested deeper than 32 levels');
      const closed = `<Request>${'<a>'.repeat(8_000)}${'</a>'.repeat(8_000)}</Request>`;
      expect(Buffer.byteLength(closed)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      badRequest(closed, 'nested deeper than 32 levels');
      badRequest(request(`${IDENTITY}${'<a>'.repeat(32)}${'</a>'.repeat(32)}`), 'nested deeper than 32 levels');
    });

    it('refuses deep nesting hidden in namespaces and among self-closed elements', () => {
      badRequest(`<Request>${'<x:a xmlns:x="u"><b/>'.repeat(40)}`, 'nested deeper than 32 levels');
    });

    it('refuses more than 4096 elements', () => {
      badRequest(request(`${IDENTITY}${'<a/>'.repeat(5000)}`), 'more than 4096 elements');
    });

    it('refuses more than 256 modules', () => {
      const many = Array.from({ length: 257 }, (_, i) => `<UpdateType>T${i}</UpdateType>`);
      badRequest(request(`${IDENTITY}${modules(...many)}`), 'more than 256 modules');
    });

    it.each([
      [
        'a billion laughs',
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
          `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
          `<Request>${IDENTITY}<UserId>&lol3;</UserId></Request>`,
      ],
      [
        'an external entity',
        `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Request>${IDENTITY}<UserId>&xxe;</UserId></Request>`,
      ],
      ['a parameter entity', `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil/p.dtd"> %p;]><Request>${IDENTITY}</Request>`],
      ['an external DTD', `<!DOCTYPE Request SYSTEM "http://evil/r.dtd"><Request>${IDENTITY}</Request>`],
      ['a lower-case doctype', `<!doctype Request><Request>${IDENTITY}</Request>`],
      ['a DOCTYPE inside the root', `<Request>${IDENTITY}<!DOCTYPE x></Request>`],
      ['an ENTITY on its own', `<Request>${IDENTITY}<!ENTITY x "y"></Request>`],
    ])('refuses %s without expanding anything', (_, body) => {
      badRequest(body, 'DTDs and entity declarations are not accepted');
    });

    it.each([
      ['<!ELEMENT', `<Request>${IDENTITY}<!ELEMENT Request ANY></Request>`],
      ['<!ATTLIST', `<!ATTLIST Request a CDATA "x"><Request>${IDENTITY}</Request>`],
    ])('refuses any other markup declaration (%s)', (_, body) => {
      badRequest(body, 'markup declarations (<!…>) are not accepted');
    });

    it.each([
      ['processing instructions', '<?'.repeat(32_000)],
      ['unclosed comments', `<Request>${'<!--'.repeat(16_000)}`],
      ['unclosed CDATA sections', `<Request>${'<![CDATA['.repeat(7_000)}`],
      ['ampersands', `<Request>${'&'.repeat(65_000)}`],
      ['an endless character reference', `<Request>&#${'1'.repeat(65_000)}`],
      ['an unclosed attribute value', `<Request a="${'x'.repeat(65_000)}`],
      ['blanks in a tag', `<Request${' '.repeat(65_000)}>`],
      ['tag openings', '<a'.repeat(32_000)],
      ['closing tags', '</'.repeat(32_000)],
      ['a repeated attribute', `<Request ${'a="b" '.repeat(10_000)}/>`],
    ])('refuses 64 KiB of %s with a 400', (_, body) => {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      expect(refusal(body).status).toBe(400);
    });

    it('refuses an entity that was never declared, whatever it is called', () => {
      badRequest(request(`${IDENTITY}<UserId>&lol9;</UserId>`), '"&lol9;"');
    });

    it('keeps a huge name out of the message', () => {
      const name = `N${'a'.repeat(20_000)}`;
      const error = refusal(`<${name}>${IDENTITY}</${name}>`);
      expect(error.message.length).toBeLessThan(300);
    });

    it('answers every prefix and every one-character damage of a request with a ProtocolError or a result', () => {
      const body = SPEC_EXAMPLE;
      const outcomes = new Set<string>();
      const judge = (text: string): void => {
        try {
          parseUpdateCheckRequest(text);
          outcomes.add('parsed');
        } catch (error) {
          if (!(error instanceof ProtocolError)) {
            throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
          }
          outcomes.add(String(error.status));
        }
      };
      for (let cut = 0; cut <= body.length; cut++) {
        judge(body.slice(0, cut));
      }
      for (let at = 0; at < body.length; at += 3) {
        for (const damage of ['<', '>', '&', '"', '/', ']]>', '<!--', '<![CDATA[', '\u0000', '']) {
          judge(body.slice(0, at) + damage + body.slice(at + 1));
        }
      }
      expect(outcomes).toEqual(new Set(['parsed', '400']));
    });
  });
});
