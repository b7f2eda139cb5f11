import { encodeURIComponentLoose, seeded } from './hostile-random';
import { type CabWriterFile, updateXml, writeCab } from './cab-writer';
import type { RawRequest } from './raw-http';
import { TEST_DIRECTORY } from './test-directory';

/**
 * The hostile-input corpus (docs/reliability.md, hostile input): requests no phone or admin should send, generated from a
 * seed so a failure can be replayed. `scale` multiplies the generated (random) part; the hand-made
 * cases are always all there.
 */
export type Category = 'xml' | 'xml-external' | 'cab' | 'log-upload' | 'admin-json' | 'admin-query' | 'path' | 'headers' | 'directory' | 'ddi';
export type Listener = 'internal' | 'external';

export interface HostileCase {
  category: Category;
  name: string;
  listener: Listener;
  request: RawRequest;
  /**
   * `refuse`: must be a 4xx. `any`: anything but a 5xx (a hostile-looking request that is fine,
   * e.g. a log file name reduced to a safe base name, or a BOM before the XML).
   */
  expect: 'refuse' | 'any';
  /** A phone path: refusals from the node must be XML `<Response><Error>`. */
  phone: boolean;
  /** A DDI path (ddi.md): refusals from the node must be DDI's JSON `{"errorCode", "message"}`. */
  ddi?: boolean;
  /** For admin validation: the field a 400 must name. */
  field?: string;
  /** No answer at all is fine (the client broke the framing, e.g. a body shorter than announced). */
  mayGoUnanswered?: boolean;
  /** A cabinet upload: after a 2xx, the import must end `failed` with a reason and nothing else. */
  cab?: boolean;
}

export interface CorpusSettings {
  scale: number;
  seed: number;
  adminToken: string;
  /** Basic credentials of a phone user, for the external listener. */
  phoneAuth: string;
  /** A file the pool serves, as `/UCPhone/.../CPE.nbt` (the traversal cases start from it). */
  filePath: string;
  /**
   * That file's folder on the external store as an answer's ExternalBaseURL names it, token and
   * all: `/DeviceUpdateFiles_Ext/~<token>/UCPhone/.../CPE` (the token cases start from it).
   */
  externalFolder: string;
  /**
   * The pool signs phones and control-panel users in against test/support/test-directory.ts's
   * slapd (UCU_PHONE_DIRECTORIES=ldap,…): the `directory` category's cases are built.
   */
  directory: boolean;
  /** A registered DDI device and its target token (the DDI cases speak for it, or try to). */
  ddi: { controllerId: string; token: string };
}

const XML = 'text/xml';

export const VALID_CHECK =
  '<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>00-04-F2-AB-CD-EF</MacAddress>' +
  '<SerialNumber>SN-1</SerialNumber><Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale>' +
  '<Modules><Module><UpdateType>CPE</UpdateType><Filename>CPE.nbt</Filename><Version>4.0.0.1</Version>' +
  '<Timestamp>2026-11-27T08:00:00Z</Timestamp></Module></Modules></Request>';

const withIdentity = (inside: string) =>
  `<Request><DeviceType>UCPhone</DeviceType><MacAddress>00-04-F2-AB-CD-EF</MacAddress><Vendor>Polycom</Vendor><Model>CX600</Model>${inside}</Request>`;

/** Hand-made hostile XML bodies: [name, body, expect]. */
function xmlBodies(): [string, Buffer | string, 'refuse' | 'any'][] {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
    ']><Request><DeviceType>&lol9;</DeviceType></Request>';
  const deep = (levels: number) => `${'<a>'.repeat(levels)}x${'</a>'.repeat(levels)}`;
  return [
    ['control: a valid check', VALID_CHECK, 'any'],
    ['control: UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID_CHECK)]), 'any'],
    ['empty body', '', 'refuse'],
    ['whitespace only', '   \n\t ', 'refuse'],
    ['not XML', 'hello phone', 'refuse'],
    ['JSON', '{"DeviceType":"UCPhone"}', 'refuse'],
    ['unclosed root', '<Request><DeviceType>UCPhone</DeviceType>', 'refuse'],
    ['mismatched tags', '<Request><DeviceType>UCPhone</Vendor></Request>', 'refuse'],
    ['two roots', `${VALID_CHECK}<Request/>`, 'refuse'],
    ['wrong root', '<Answer><DeviceType>x</DeviceType></Answer>', 'refuse'],
    ['unquoted attribute', '<Request a=1><DeviceType>x</DeviceType></Request>', 'refuse'],
    ['duplicate attribute', '<Request a="1" a="2"></Request>', 'refuse'],
    ['lone angle brackets', '<<<<>>>>', 'refuse'],
    ['billion laughs', laughs, 'refuse'],
    ['external entity (file)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Request><DeviceType>&x;</DeviceType></Request>', 'refuse'],
    ['external entity (http)', '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:1/">]><Request>&x;</Request>', 'refuse'],
    ['parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><Request/>', 'refuse'],
    ['external DTD', '<!DOCTYPE Request SYSTEM "http://127.0.0.1:1/evil.dtd"><Request/>', 'refuse'],
    ['lower-case doctype', '<!doctype Request [<!entity x "y">]><Request/>', 'refuse'],
    ['undeclared entity', withIdentity('<Revision>&xxe;</Revision>'), 'refuse'],
    ['entity without semicolon', withIdentity('<Revision>&amp</Revision>'), 'refuse'],
    ['char ref to NUL', withIdentity('<Revision>&#0;</Revision>'), 'refuse'],
    ['char ref past Unicode', withIdentity('<Revision>&#x110000;</Revision>'), 'refuse'],
    ['char ref to a surrogate', withIdentity('<Revision>&#xD800;</Revision>'), 'refuse'],
    ['char ref with 400 digits', withIdentity(`<Revision>&#${'9'.repeat(400)};</Revision>`), 'refuse'],
    ['DOCTYPE inside CDATA', withIdentity('<Revision><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]></Revision>'), 'refuse'],
    ['CDATA that hides markup', withIdentity('<Locale><![CDATA[</Locale><Injected>1</Injected>]]></Locale>'), 'any'],
    ['unterminated CDATA', withIdentity('<Locale><![CDATA[ENU</Locale>'), 'refuse'],
    ['CDATA end in text', withIdentity('<Locale>]]></Locale>'), 'any'],
    ['nested CDATA', withIdentity('<Locale><![CDATA[<![CDATA[x]]>]]></Locale>'), 'any'],
    ['CDATA as the element name', '<![CDATA[Request]]>', 'refuse'],
    ['comment that never ends', `<Request><!-- ${'x'.repeat(1000)}`, 'refuse'],
    ['processing instruction soup', `<?xml version="1.0"?><?a?><?b ${'?'.repeat(500)}?>${VALID_CHECK.replace(/^<\?xml[^>]*>/, '')}`, 'any'],
    ['UTF-16 declared', VALID_CHECK.replace('utf-8', 'UTF-16'), 'refuse'],
    ['latin1 declared', VALID_CHECK.replace('utf-8', 'ISO-8859-1'), 'refuse'],
    ['UTF-16LE body with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID_CHECK, 'utf16le')]), 'refuse'],
    ['UTF-32 BOM', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from(VALID_CHECK)]), 'refuse'],
    ['two BOMs', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(VALID_CHECK)]), 'any'],
    ['invalid UTF-8 byte 0xFF', Buffer.concat([Buffer.from(withIdentity('<Locale>')), Buffer.from([0xff]), Buffer.from('</Locale></Request>')]), 'refuse'],
    ['overlong UTF-8 dot', Buffer.concat([Buffer.from(withIdentity('<Locale>')), Buffer.from([0xc0, 0xae]), Buffer.from('</Locale></Request>')]), 'refuse'],
    ['UTF-8 encoded surrogate', Buffer.concat([Buffer.from(withIdentity('<Locale>')), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('</Locale></Request>')]), 'refuse'],
    ['lone continuation byte', Buffer.concat([Buffer.from('<Request>'), Buffer.from([0x80]), Buffer.from('</Request>')]), 'refuse'],
    ['truncated multibyte at the end', Buffer.concat([Buffer.from(VALID_CHECK), Buffer.from([0xe2, 0x82])]), 'refuse'],
    ['NUL in text', withIdentity('<Locale>EN\u0000U</Locale>'), 'refuse'],
    ['NUL in a name', '<Req\u0000uest/>', 'refuse'],
    ['NUL after the document', `${VALID_CHECK}\u0000`, 'refuse'],
    ['control characters', withIdentity('<Locale>\u0001\u0002\u001b[31m</Locale>'), 'refuse'],
    ['10k attributes', `<Request ${Array.from({ length: 10_000 }, (_, i) => `a${i}="${i}"`).join(' ')}><DeviceType>x</DeviceType></Request>`, 'refuse'],
    ['huge attribute value', `<Request a="${'x'.repeat(60_000)}"></Request>`, 'refuse'],
    ['huge text node', withIdentity(`<Locale>${'E'.repeat(60_000)}</Locale>`), 'any'],
    ['huge element name', `<${'R'.repeat(60_000)}/>`, 'refuse'],
    ['body just over 64 KiB', withIdentity(`<Pad>${'x'.repeat(65 * 1024)}</Pad>`), 'refuse'],
    ['body of 8 MiB', `<Request>${'<a/>'.repeat(2 * 1024 * 1024)}</Request>`, 'refuse'],
    ['nested 33 levels', `<Request>${deep(33)}</Request>`, 'refuse'],
    ['nested 10000 levels', deep(10_000), 'refuse'],
    ['unclosed nesting 20000', '<a>'.repeat(20_000), 'refuse'],
    ['5000 empty elements', withIdentity('<x/>'.repeat(5000)), 'refuse'],
    ['300 modules', withIdentity(`<Modules>${Array.from({ length: 300 }, (_, i) => `<Module><UpdateType>T${i}</UpdateType></Module>`).join('')}</Modules>`), 'refuse'],
    ['duplicate DeviceType', withIdentity('<DeviceType>Other</DeviceType>'), 'refuse'],
    ['element in a text field', '<Request><DeviceType><b>UCPhone</b></DeviceType></Request>', 'refuse'],
    ['prototype element names', withIdentity('<__proto__><polluted>1</polluted></__proto__><constructor>x</constructor><hasOwnProperty>1</hasOwnProperty><toString/>'), 'any'],
    ['prototype as root', '<__proto__><DeviceType>x</DeviceType></__proto__>', 'refuse'],
    ['constructor in a module', withIdentity('<Modules><Module><UpdateType>CPE</UpdateType><constructor>1</constructor><__proto__/></Module></Modules>'), 'any'],
    ['namespace prefix tricks', '<x:Request xmlns:x="urn:x"><x:DeviceType>UCPhone</x:DeviceType><y:MacAddress>00-04-F2-AB-CD-EF</y:MacAddress><Vendor>P</Vendor><Model>M</Model></x:Request>', 'any'],
    ['xml:base and xinclude', '<Request xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></Request>', 'refuse'],
    ['MAC of 5 pairs', withIdentity('').replace('00-04-F2-AB-CD-EF', '01-02-03-04-05'), 'refuse'],
    ['serial with markup chars', '<Request><DeviceType>U</DeviceType><SerialNumber>&lt;script&gt;</SerialNumber><Vendor>P</Vendor><Model>M</Model></Request>', 'refuse'],
    ['serial of 10k chars', `<Request><DeviceType>U</DeviceType><SerialNumber>${'S'.repeat(10_000)}</SerialNumber><Vendor>P</Vendor><Model>M</Model></Request>`, 'refuse'],
    ['neither MAC nor serial', '<Request><DeviceType>U</DeviceType><Vendor>P</Vendor><Model>M</Model></Request>', 'refuse'],
  ];
}

/** Random damage to a valid check: truncations, byte flips, insertions of markup fragments. */
function mutatedXml(count: number, random: () => number): [string, Buffer][] {
  const base = Buffer.from(VALID_CHECK);
  const fragments = ['<', '>', '&', ']]>', '<![CDATA[', '<!--', '<!DOCTYPE', '&#0;', '\u0000', '"', "'", '</Request>', '<Module>', '\uFEFF', '\uFFFF'];
  const cases: [string, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const at = Math.floor(random() * base.length);
      cases.push([`truncated at ${at}`, base.subarray(0, at)]);
    } else if (kind === 1) {
      const bytes = Buffer.from(base);
      const flips = 1 + Math.floor(random() * 6);
      for (let j = 0; j < flips; j++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      cases.push([`${flips} random bytes #${i}`, bytes]);
    } else {
      const at = Math.floor(random() * base.length);
      const fragment = fragments[Math.floor(random() * fragments.length)];
      cases.push([`${JSON.stringify(fragment)} inserted at ${at}`, Buffer.concat([base.subarray(0, at), Buffer.from(fragment), base.subarray(at)])]);
    }
  }
  return cases;
}

function hostileCabs(random: () => number, scale: number): [string, Buffer][] {
  const description = Buffer.from(updateXml());
  const image = Buffer.from('not a real image '.repeat(64));
  const catalog = Buffer.from('not a real catalog');
  const good: CabWriterFile[] = [
    { name: 'u/update.xml', data: description },
    { name: 'u/CPE.nbt', data: image },
    { name: 'u/CPE.cat', data: catalog },
  ];
  const renamed = (name: string | Buffer, attributes?: number): CabWriterFile[] => [{ ...good[0], name, attributes }, good[1], good[2]];
  const zeros = (size: number) => Buffer.alloc(size);
  const cabs: [string, Buffer][] = [
    ['not a cabinet', Buffer.from('MZ this is not a cabinet')],
    ['empty file', Buffer.alloc(0)],
    ['only the signature', Buffer.from('MSCF')],
    ['unsigned, no catalog signature (refused by policy)', writeCab(good)],
    ['bad CFDATA checksum', writeCab(good, { badChecksumBlock: 0 })],
    ['bad checksum, MSZIP', writeCab(good, { compression: 'mszip', badChecksumBlock: 0 })],
    ['cabinet size larger than the file', writeCab(good, { cabinetSize: 10_000_000 })],
    ['cabinet size smaller than the header', writeCab(good, { cabinetSize: 20 })],
    ['more files declared than written', writeCab(good, { fileCount: 500 })],
    ['zero data blocks', writeCab(good, { blockCount: 0 })],
    ['many more data blocks than written', writeCab(good, { blockCount: 60_000 })],
    ['file size larger than the folder', writeCab([good[0], { ...good[1], declaredSize: 50_000 }, good[2]])],
    ['file size of 4 GiB - 1', writeCab([good[0], { ...good[1], declaredSize: 0xffffffff }, good[2]])],
    ['overlapping files', writeCab([good[0], { ...good[1], folderOffset: 0 }, { ...good[2], folderOffset: 10 }])],
    ['file offset past the folder', writeCab([good[0], { ...good[1], folderOffset: 0x7fffffff }, good[2]])],
    ['block that lies about its size', writeCab(good, { lyingBlock: { index: 0, uncompressedSize: 65535 } })],
    ['MSZIP block that lies about its size', writeCab(good, { compression: 'mszip', lyingBlock: { index: 0, uncompressedSize: 100 } })],
    ['continues into another cabinet', writeCab(good, { flags: 2 })],
    ['traversal name ../', writeCab(renamed('../../etc/update.xml'))],
    ['traversal name ..\\', writeCab(renamed('..\\..\\update.xml'))],
    ['traversal in the middle', writeCab(renamed('u/../../update.xml'))],
    ['absolute name /', writeCab(renamed('/etc/update.xml'))],
    ['absolute name \\', writeCab(renamed('\\update.xml'))],
    ['drive letter', writeCab(renamed('C:\\update.xml'))],
    ['drive-relative name', writeCab(renamed('C:update.xml'))],
    ['UNC name', writeCab(renamed('\\\\server\\share\\update.xml'))],
    ['NUL inside a name', writeCab(renamed(Buffer.from('u/update.xml\u0000.txt', 'latin1')))],
    ['UTF-8 overlong dots in a name', writeCab(renamed(Buffer.concat([Buffer.from([0xc0, 0xae, 0xc0, 0xae]), Buffer.from('/update.xml')]), 0xa0))],
    ['invalid UTF-8 name', writeCab(renamed(Buffer.from([0x75, 0x2f, 0xff, 0xfe]), 0xa0))],
    ['empty name', writeCab(renamed(''))],
    ['name of 300 bytes', writeCab(renamed(`u/${'n'.repeat(298)}`))],
    ['duplicate names', writeCab([good[0], { ...good[0] }, good[1], good[2]])],
    ['bomb: 8 MiB of zeros, MSZIP (ratio over the limit)', writeCab([{ name: 'u/update.xml', data: description }, { name: 'u/CPE.nbt', data: zeros(8 * 1024 * 1024) }], { compression: 'mszip' })],
    ['bomb: declares 3 GiB', writeCab([good[0], { ...good[1], declaredSize: 0xc0000000 }, { ...good[2], declaredSize: 0x3fffffff }])],
    ['bomb: declares 1 KiB, holds 4 MiB', writeCab([{ name: 'u/update.xml', data: description }, { name: 'u/CPE.nbt', data: zeros(4 * 1024 * 1024), declaredSize: 1024 }], { compression: 'mszip' })],
    ['billion laughs in update.xml', writeCab(renamed('u/update.xml').map((file, i) => (i === 0 ? { ...file, data: Buffer.from('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><DeviceUpdate><DeviceType>&c;</DeviceType></DeviceUpdate>') } : file)))],
    ['external entity in update.xml', writeCab(renamed('u/update.xml').map((file, i) => (i === 0 ? { ...file, data: Buffer.from('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><DeviceUpdate><DeviceType>&x;</DeviceType></DeviceUpdate>') } : file)))],
    ['update.xml names a traversal image', writeCab([{ name: 'u/update.xml', data: Buffer.from(updateXml({ Image: '../../../../etc/passwd' })) }, good[1], good[2]])],
    ['update.xml names an absolute image', writeCab([{ name: 'u/update.xml', data: Buffer.from(updateXml({ Image: '/etc/passwd' })) }, good[1], good[2]])],
    ['update.xml with a path in the rule key', writeCab([{ name: 'u/update.xml', data: Buffer.from(updateXml({ Model: '../../x' })) }, good[1], good[2]])],
    ['update.xml of 1 MiB', writeCab([{ name: 'u/update.xml', data: Buffer.from(`${updateXml()}<!--${'x'.repeat(1024 * 1024)}-->`) }, good[1], good[2]])],
  ];
  // Random damage to a small valid-looking cabinet.
  const base = writeCab(good, { compression: 'mszip' });
  for (let i = 0; i < 6 * scale; i++) {
    const bytes = Buffer.from(base);
    const flips = 1 + Math.floor(random() * 4);
    for (let j = 0; j < flips; j++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    cabs.push([`${flips} random bytes #${i}`, bytes]);
    cabs.push([`truncated #${i}`, base.subarray(0, Math.floor(random() * base.length))]);
  }
  return cabs;
}

/** Every spelling of `..` (and of the separator) we know of. */
export const DOT_DOT = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%c0%ae%c0%ae', '%e0%80%ae%e0%80%ae', '%uff0e%uff0e', '..%00', '.%00.', '%2e%2e%00', '\uff0e\uff0e'];
export const SLASH = ['/', '%2f', '%2F', '%252f', '\\', '%5c', '%5C', '%c0%af', '%e0%80%af', '//'];

function traversalPaths(settings: CorpusSettings, random: () => number, scale: number): string[] {
  const prefixes = [
    '/DeviceUpdateFiles_Int',
    '/deviceupdatefiles_INT',
    '//DeviceUpdateFiles_Int',
    '/DeviceUpdateFiles_Int/',
    '/./DeviceUpdateFiles_Int',
    '/RequestHandler/Files',
    '/requesthandler/FILES/',
    '/RequestHandler//Files',
  ];
  const paths = new Set<string>();
  for (const dots of DOT_DOT) {
    for (const slash of SLASH) {
      paths.add(`/DeviceUpdateFiles_Int/${[dots, dots, dots, 'etc', 'passwd'].join(slash)}`);
      paths.add(`/DeviceUpdateFiles_Int${settings.filePath.replace('/CPE.nbt', '')}${slash}${dots}${slash}${dots}${slash}CPE.nbt`);
    }
  }
  for (const prefix of prefixes) {
    paths.add(`${prefix}${settings.filePath}/..`);
    paths.add(`${prefix}/../../../../etc/passwd`);
    paths.add(`${prefix}${settings.filePath}%00`);
    paths.add(`${prefix}${settings.filePath}%00.txt`);
    paths.add(`${prefix}${settings.filePath.replace(/\//g, '\\')}`);
  }
  paths.add('/DeviceUpdateFiles_Int/%');
  paths.add('/DeviceUpdateFiles_Int/%zz');
  paths.add('/DeviceUpdateFiles_Int/%00');
  paths.add(`/DeviceUpdateFiles_Int/${'a/'.repeat(2000)}`);
  paths.add(`/DeviceUpdateFiles_Int/${'%2e%2e%2f'.repeat(500)}etc/passwd`);
  paths.add('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.0.1/CPE/..%2f..%2f..%2f..%2f..%2f..%2f..%2fpackage.json');
  paths.add('/DeviceUpdateFiles_Int/~/.ssh/id_rsa');
  paths.add('/DeviceUpdateFiles_Int/proc/self/environ');
  paths.add('/RequestHandler/Files/~/.ssh/id_rsa');
  paths.add('/RequestHandler/Files/%7E/.ssh/id_rsa');
  paths.add('/RequestHandler/Files/../Logs/Watson/x.dmp');
  paths.add('/RequestHandler/Files/..%2fucdevice.upx');
  // A token segment means nothing on the internal store: nine segments, no file.
  const token = settings.externalFolder.split('/')[2];
  paths.add(`/DeviceUpdateFiles_Int/${token}${settings.filePath}`);
  paths.add(`/RequestHandler/Files/${token}${settings.filePath}`);
  paths.add(`/DeviceUpdateFiles_Int/${token}/..${settings.filePath}`);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  for (let i = 0; i < 10 * scale; i++) {
    const depth = 1 + Math.floor(random() * 8);
    const parts = Array.from({ length: depth }, () => pick(DOT_DOT));
    paths.add(`${pick(prefixes)}/${parts.map((part, j) => (j === 0 ? part : `${pick(SLASH)}${part}`)).join('')}${pick(SLASH)}${pick(['etc/passwd', 'package.json', 'CPE.nbt', '.pool/test/secrets.json'])}`);
  }
  return [...paths];
}

/**
 * The external store's path forms with the token in them (`/DeviceUpdateFiles_Ext/~<token>/…` and
 * `/RequestHandlerExt/Files/~<token>/…`): a valid token with `..` in every spelling after it,
 * `~` segments where no token belongs, `~` encoded and double-encoded, doubled and mangled
 * tokens, no token at all. None may serve anything: a valid token with a traversal is 403 or
 * 404, never a file outside the store.
 */
function externalTokenPaths(settings: CorpusSettings, random: () => number): string[] {
  const folder = settings.externalFolder; // /DeviceUpdateFiles_Ext/~<token>/UCPhone/.../CPE
  const [, , tokenSegment, ...folderSegments] = folder.split('/');
  const token = tokenSegment.slice(1);
  const rest = `/${folderSegments.join('/')}`;
  const fileName = settings.filePath.slice(settings.filePath.lastIndexOf('/') + 1);
  const stores = ['/DeviceUpdateFiles_Ext', '/RequestHandlerExt/Files', '/deviceupdatefiles_EXT', '/REQUESTHANDLEREXT/files'];
  const paths = new Set<string>();
  for (const store of stores) {
    const tokened = `${store}/~${token}`;
    for (const dots of DOT_DOT) {
      for (const slash of SLASH) {
        if (random() < 0.5) continue; // half of the pairs per store, a different half each time
        paths.add(`${tokened}/${[dots, dots, dots, 'etc', 'passwd'].join(slash)}`);
        paths.add(`${tokened}${rest}${slash}${dots}${slash}${dots}${slash}${fileName}`);
      }
    }
    paths.add(`${tokened}${rest}/..`);
    paths.add(`${tokened}${rest}/%2e%2e`);
    paths.add(`${tokened}${rest}/${fileName}%00`);
    paths.add(`${tokened}/../../../../etc/passwd`);
    paths.add(`${tokened}/~/.ssh/id_rsa`);
    paths.add(`${tokened}/proc/self/environ`);
    // Doubled tokens, a token where a segment belongs, a token last.
    paths.add(`${tokened}/~${token}${rest}/${fileName}`);
    paths.add(`${tokened}/%7E${token}${rest}/${fileName}`);
    paths.add(`${store}/UCPhone/~${token}${rest.slice('/UCPhone'.length)}/${fileName}`);
    paths.add(`${store}${rest}/~${token}/${fileName}`);
    paths.add(`${store}${rest}/${fileName}/~${token}`);
    // `~` segments and spellings of it that carry no valid token.
    paths.add(`${store}/~${rest}/${fileName}`);
    paths.add(`${store}/~~${token}${rest}/${fileName}`);
    paths.add(`${store}/%257E${token}${rest}/${fileName}`);
    paths.add(`${store}/%7e%7e${token}${rest}/${fileName}`);
    paths.add(`${store}/%EF%BD%9E${token}${rest}/${fileName}`); // fullwidth tilde
    paths.add(`${store}/~..%2f..%2f..%2fetc%2fpasswd`);
    paths.add(`${store}/~%2e%2e/%2e%2e/etc/passwd`);
    paths.add(`${store}/~${token}%2f..%2f..${rest}/${fileName}`);
    paths.add(`${store}/~${token}%00${rest}/${fileName}`);
    paths.add(`${store}/~${token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}${rest}/${fileName}`);
    paths.add(`${store}/~${token.split('.')[0]}.${rest}/${fileName}`);
    paths.add(`${store}/~${'9'.repeat(7000)}.${'A'.repeat(43)}${rest}/${fileName}`);
    // No token: the version 1 query form, and nothing at all.
    paths.add(`${store}${rest}/${fileName}`);
    paths.add(`${store}${rest}/${fileName}?t=${token}`);
    // Another folder with this token: another version, another update type, another model.
    paths.add(`${tokened}${rest.replace(/\/[^/]+\/([^/]+)$/, '/0.0.0.1/$1')}/${fileName}`);
    paths.add(`${tokened}${rest.replace(/[^/]+$/, 'UCS')}/${fileName}`);
    paths.add(`${tokened}${rest.replace('/CX600/', '/CX700/')}/${fileName}`);
  }
  return [...paths];
}

export function buildCorpus(settings: CorpusSettings): HostileCase[] {
  const random = seeded(settings.seed);
  const cases: HostileCase[] = [];
  const admin = (extra: [string, string][] = []): [string, string][] => [['Authorization', `Bearer ${settings.adminToken}`], ...extra];
  const check = (category: Category, listener: Listener, name: string, body: Buffer | string, expect: 'refuse' | 'any', headers: [string, string][] = [['Content-Type', XML]]) =>
    cases.push({
      category,
      name,
      listener,
      phone: true,
      expect,
      request: {
        method: 'POST',
        path: listener === 'internal' ? '/RequestHandler/ucdevice.upx' : '/RequestHandlerExt/ucdevice.upx',
        headers: listener === 'internal' ? headers : [...headers, ['Authorization', settings.phoneAuth]],
        body,
      },
    });

  // XML on the internal update check, all of it; on the external one, behind sign-in, a share.
  const bodies = xmlBodies();
  for (const [name, body, expect] of bodies) check('xml', 'internal', name, body, expect);
  for (const [name, body] of mutatedXml(40 * settings.scale, random)) check('xml', 'internal', name, body, 'any');
  for (const [name, body, expect] of bodies.filter((_, i) => i % 2 === 0)) check('xml-external', 'external', name, body, expect);
  for (const [name, body] of mutatedXml(10 * settings.scale, random)) check('xml-external', 'external', name, body, 'any');
  check('xml', 'internal', 'text/plain', VALID_CHECK, 'any', [['Content-Type', 'text/plain']]);
  check('xml', 'internal', 'no Content-Type', VALID_CHECK, 'refuse', []);
  check('xml', 'internal', 'multipart', VALID_CHECK, 'refuse', [['Content-Type', 'multipart/form-data; boundary=x']]);
  check('xml', 'internal', 'XML with charset utf-16', VALID_CHECK, 'any', [['Content-Type', 'text/xml; charset=utf-16']]);
  check('xml', 'internal', 'Content-Type of 8 KiB', VALID_CHECK, 'any', [['Content-Type', `text/xml; a=${'b'.repeat(8192)}`]]);
  check('xml', 'internal', 'application/json with XML', VALID_CHECK, 'refuse', [['Content-Type', 'application/json']]);

  for (const [name, bytes] of hostileCabs(random, settings.scale)) {
    cases.push({
      category: 'cab',
      name,
      listener: 'internal',
      phone: false,
      expect: 'any',
      cab: true,
      request: { method: 'POST', path: '/api/v1/updates', headers: admin([['Content-Type', 'application/vnd.ms-cab-compressed']]), body: bytes },
    });
  }
  // Multipart uploads with hostile file names (the name is only shown: a 2xx is fine, then refused as a cabinet).
  for (const fileName of ['../../etc/passwd', '/etc/passwd', 'C:\\Windows\\x.cab', `${'a'.repeat(5000)}.cab`, 'x\u0000y.cab', '"; rm -rf /', '%2e%2e%2fx.cab']) {
    const boundary = 'hostileboundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1'),
      Buffer.from(`MSCF not a cabinet ${fileName.length}`),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    cases.push({ category: 'cab', name: `multipart file name ${JSON.stringify(fileName.slice(0, 40))}`, listener: 'internal', phone: false, expect: 'any', cab: true, request: { method: 'POST', path: '/api/v1/updates', headers: admin([['Content-Type', `multipart/form-data; boundary=${boundary}`]]), body } });
  }
  cases.push({ category: 'cab', name: 'multipart without a file part', listener: 'internal', phone: false, expect: 'refuse', request: { method: 'POST', path: '/api/v1/updates', headers: admin([['Content-Type', 'multipart/form-data; boundary=b']]), body: '--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n' } });
  cases.push({ category: 'cab', name: 'multipart that never ends', listener: 'internal', phone: false, expect: 'refuse', request: { method: 'POST', path: '/api/v1/updates', headers: admin([['Content-Type', 'multipart/form-data; boundary=b']]), body: '--b\r\nContent-Disposition: form-data; name="file"; filename="x.cab"\r\n\r\nMSCF' } });
  cases.push({ category: 'cab', name: 'empty upload', listener: 'internal', phone: false, expect: 'refuse', request: { method: 'POST', path: '/api/v1/updates', headers: admin([['Content-Type', 'application/octet-stream']]), body: '' } });
  cases.push({ category: 'cab', name: 'upload as text/plain', listener: 'internal', phone: false, expect: 'refuse', request: { method: 'POST', path: '/api/v1/updates', headers: admin([['Content-Type', 'text/plain']]), body: 'MSCF' } });

  // Device log uploads.
  const log = (name: string, path: string, headers: [string, string][], body: Buffer | string, expect: 'refuse' | 'any', extra: { request?: Partial<RawRequest>; mayGoUnanswered?: boolean } = {}) =>
    cases.push({ category: 'log-upload', name, listener: 'internal', phone: true, expect, mayGoUnanswered: extra.mayGoUnanswered, request: { method: 'PUT', path, headers, body, ...extra.request } });
  const identity: [string, string][] = [['X-UC-DeviceType', 'UCPhone'], ['X-UC-MacAddress', '00-04-F2-AB-CD-EF'], ['Content-Type', 'application/octet-stream']];
  log('control: a log', '/RequestHandler/Logs/Watson/crash.dmp', identity, 'a crash dump', 'any');
  for (const [name, logType, fileName, expect] of [
    ['log type ..', '..', 'crash.dmp', 'refuse'],
    ['log type %2e%2e', '%2e%2e', 'crash.dmp', 'refuse'],
    ['log type of 10k chars', 'W'.repeat(10_000), 'crash.dmp', 'refuse'],
    ['log type with NUL', 'Watson%00', 'crash.dmp', 'refuse'],
    ['log type in Unicode', 'W%C3%A4tson', 'crash.dmp', 'refuse'],
    ['file name traversal', 'Watson', '..%2f..%2f..%2fetc%2fpasswd.dmp', 'any'],
    ['file name backslash traversal', 'Watson', '..%5c..%5cwin.ini.dmp', 'any'],
    ['file name overlong UTF-8', 'Watson', '%c0%ae%c0%ae%c0%afx.dmp', 'any'],
    ['file name with NUL', 'Watson', 'crash%00.dmp', 'any'],
    ['file name of dots', 'Watson', '....', 'refuse'],
    ['file name without extension', 'Watson', 'crash', 'refuse'],
    ['file name with a bad extension', 'Watson', 'crash.exe', 'refuse'],
    ['file name CON', 'Watson', 'CON.dmp', 'any'],
    ['file name of 1000 chars', 'Watson', `${'n'.repeat(1000)}.dmp`, 'any'],
    ['file name with RTL override', 'Watson', 'crash%E2%80%AEpmd.txt', 'any'],
    ['file name with control chars', 'Watson', '%01%02%1b%5b31m.dmp', 'any'],
    ['file name of %', 'Watson', '%.dmp', 'refuse'],
    ['file name double-encoded', 'Watson', '%252e%252e%252fx.dmp', 'any'],
  ] as const) {
    log(name, `/RequestHandler/Logs/${logType}/${fileName}`, identity, 'log', expect);
  }
  log('no identity headers', '/RequestHandler/Logs/Watson/crash.dmp', [['Content-Type', 'application/octet-stream']], 'log', 'refuse');
  log('device type of 10k chars', '/RequestHandler/Logs/Watson/crash.dmp', [['X-UC-DeviceType', 'U'.repeat(10_000)], ['X-UC-MacAddress', '00-04-F2-AB-CD-EF']], 'log', 'refuse');
  log('device type with markup', '/RequestHandler/Logs/Watson/crash.dmp', [['X-UC-DeviceType', '<script>'], ['X-UC-MacAddress', '00-04-F2-AB-CD-EF']], 'log', 'refuse');
  log('MAC of garbage', '/RequestHandler/Logs/Watson/crash.dmp', [['X-UC-DeviceType', 'UCPhone'], ['X-UC-MacAddress', 'zz-zz']], 'log', 'refuse');
  log('serial with traversal', '/RequestHandler/Logs/Watson/crash.dmp', [['X-UC-DeviceType', 'UCPhone'], ['X-UC-SerialNumber', '../../x']], 'log', 'refuse');
  log('two MAC headers', '/RequestHandler/Logs/Watson/crash.dmp', [['X-UC-DeviceType', 'UCPhone'], ['X-UC-MacAddress', '00-04-F2-AB-CD-EF'], ['X-UC-MacAddress', '00-04-F2-AB-CD-EE']], 'log', 'any');
  log('empty body', '/RequestHandler/Logs/Watson/crash.dmp', identity, '', 'refuse');
  log('body of 2 MiB (over maxLogFileSize)', '/RequestHandler/Logs/Watson/big.dmp', identity, Buffer.alloc(2 * 1024 * 1024, 1), 'refuse');
  log('Content-Length of 10^12, small body', '/RequestHandler/Logs/Watson/big.dmp', [...identity, ['Content-Length', '1000000000000']], 'x', 'refuse', { request: { method: 'PUT', path: '/RequestHandler/Logs/Watson/big.dmp', headers: [...identity, ['Content-Length', '1000000000000']], body: 'x', noContentLength: true, timeoutMs: 5000 } });
  log('Content-Length not a number', '/RequestHandler/Logs/Watson/x.dmp', [...identity, ['Content-Length', 'ten']], 'x', 'refuse', { request: { method: 'PUT', path: '/RequestHandler/Logs/Watson/x.dmp', headers: [...identity, ['Content-Length', 'ten']], body: 'x', noContentLength: true } });
  log('Content-Length and chunked (smuggling)', '/RequestHandler/Logs/Watson/x.dmp', [...identity, ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']], '0\r\n\r\nGET /api/v1/tokens HTTP/1.1\r\n\r\n', 'refuse', { request: { method: 'PUT', path: '/RequestHandler/Logs/Watson/x.dmp', headers: [...identity, ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']], body: '0\r\n\r\nGET /api/v1/tokens HTTP/1.1\r\n\r\n', noContentLength: true } });
  log('bad chunk size', '/RequestHandler/Logs/Watson/x.dmp', [...identity, ['Transfer-Encoding', 'chunked']], 'zz\r\nabc\r\n0\r\n\r\n', 'refuse', { request: { method: 'PUT', path: '/RequestHandler/Logs/Watson/x.dmp', headers: [...identity, ['Transfer-Encoding', 'chunked']], body: 'zz\r\nabc\r\n0\r\n\r\n', noContentLength: true } });
  log('chunked body over the limit', '/RequestHandler/Logs/Watson/x.dmp', [...identity, ['Transfer-Encoding', 'chunked']], '', 'refuse', { request: { method: 'PUT', path: '/RequestHandler/Logs/Watson/x.dmp', headers: [...identity, ['Transfer-Encoding', 'chunked']], body: `${Array.from({ length: 40 }, () => `8000\r\n${'x'.repeat(0x8000)}\r\n`).join('')}0\r\n\r\n`, noContentLength: true } });
  log('body shorter than announced, then EOF', '/RequestHandler/Logs/Watson/x.dmp', [...identity, ['Content-Length', '100']], 'short', 'any', { mayGoUnanswered: true, request: { method: 'PUT', path: '/RequestHandler/Logs/Watson/x.dmp', headers: [...identity, ['Content-Length', '100']], body: 'short', noContentLength: true, halfClose: true, timeoutMs: 5000 } });
  for (const type of ['text/xml', 'application/json', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', `x/${'y'.repeat(4000)}`]) {
    log(`Content-Type ${type.slice(0, 40)}`, '/RequestHandler/Logs/Watson/t.txt', [['X-UC-DeviceType', 'UCPhone'], ['X-UC-MacAddress', '00-04-F2-AB-CD-EF'], ['Content-Type', type]], '<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>', 'any');
  }

  // Admin JSON bodies: wrong types, huge strings, unknown fields, prototype keys.
  const json = (name: string, method: string, path: string, body: string, expect: 'refuse' | 'any', field?: string, type = 'application/json') =>
    cases.push({ category: 'admin-json', name, listener: 'internal', phone: false, expect, field, request: { method, path, headers: admin([['Content-Type', type]]), body } });
  const huge = 'x'.repeat(200_000);
  const endpoints: [string, string, Record<string, unknown>][] = [
    ['POST', '/api/v1/tokens', { name: 'hostile', role: 'viewer' }],
    ['POST', '/api/v1/phone-users', { userId: 'sip:hostile@contoso.com', password: 'Pa55word!x' }],
    ['POST', '/api/v1/test-devices', { scope: 'global', name: 'hostile', identifierType: 'MACAddress', identifier: '00-04-F2-00-00-77' }],
    ['PUT', '/api/v1/configuration/global', { maxLogFileSize: 1024000 }],
    ['POST', '/api/v1/session', { token: 'x'.repeat(20) }],
    ['POST', '/api/v1/session', { user: 'olga', password: 'not-olgas-password' }],
    ['POST', '/api/v1/ddi/targets', { controllerId: 'gw-hostile-json', attributes: { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' } }],
  ];
  for (const [method, path, valid] of endpoints) {
    const short = path.replace('/api/v1/', '');
    for (const field of Object.keys(valid)) {
      const wrongTypes = [['a number', 12345], ['an array', ['a']], ['an object', { a: 1 }], ['null', null], ['true', true], ['a huge string', huge], ['a NUL string', 'a\u0000b'], ['a lone surrogate', '\ud800'], ['-1e308', -1e308]] as const;
      for (const [label, value] of wrongTypes.filter(([label]) => typeof valid[field] !== 'number' || (label !== 'a number' && label !== '-1e308'))) {
        json(`${short}: ${field} as ${label}`, method, path, JSON.stringify({ ...valid, [field]: value }), 'refuse', field);
      }
    }
    json(`${short}: an unknown field`, method, path, JSON.stringify({ ...valid, isAdmin: true }), 'refuse', 'isAdmin');
    json(`${short}: __proto__ key`, method, path, JSON.stringify(valid).replace('{', '{"__proto__":{"role":"admin","isAdmin":true},'), 'refuse');
    json(`${short}: constructor.prototype key`, method, path, JSON.stringify(valid).replace('{', '{"constructor":{"prototype":{"isAdmin":true}},'), 'refuse');
    json(`${short}: nested __proto__`, method, path, JSON.stringify({ ...valid, x: 1 }).replace('"x":1', '"x":{"__proto__":{"polluted":1}}'), 'refuse');
    json(`${short}: not JSON`, method, path, '{"name": ', 'refuse');
    json(`${short}: JSON array`, method, path, '[1,2,3]', 'refuse');
    json(`${short}: JSON string`, method, path, '"hello"', 'refuse');
    json(`${short}: empty body`, method, path, '', 'refuse');
    json(`${short}: 2 MiB body`, method, path, JSON.stringify({ ...valid, pad: 'p'.repeat(2 * 1024 * 1024) }), 'refuse');
    json(`${short}: 1000-deep nesting`, method, path, `${'['.repeat(1000)}${']'.repeat(1000)}`, 'refuse');
    json(`${short}: duplicate keys`, method, path, JSON.stringify(valid).replace('{', '{"a":1,"a":2,'), 'refuse');
    json(`${short}: as text/plain`, method, path, JSON.stringify(valid), 'refuse', undefined, 'text/plain');
    json(`${short}: JSON with a BOM`, method, path, `\uFEFF${JSON.stringify(valid)}`, 'any');
  }
  // DDI targets (docs/ddi.md "Tokens"): controller ids and attributes of every wrong form.
  const target = (controllerId: unknown, attributes: unknown) => JSON.stringify({ controllerId, attributes });
  const attributes = { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' };
  for (const [name, controllerId] of [['empty', ''], ['65 chars', 'g'.repeat(65)], ['a space', 'gw 1'], ['a slash', 'gw/1'], ['traversal', '../../x'], ['NUL', 'gw\u0000'], ['Unicode', 'gw-ä'], ['markup', '<script>']] as const) {
    json(`ddi/targets: controllerId ${name}`, 'POST', '/api/v1/ddi/targets', target(controllerId, attributes), 'refuse', 'controllerId');
  }
  for (const [name, value] of [['without model', { vendor: 'Contoso', hwRevision: '1.0' }], ['an extra attribute', { ...attributes, root: 'yes' }], ['a number', { ...attributes, model: 1 }], ['a huge vendor', { ...attributes, vendor: huge }], ['a NUL model', { ...attributes, model: 'a\u0000b' }], ['an array', [attributes]], ['a __proto__ attribute', JSON.parse('{"__proto__":{"isAdmin":true},"vendor":"Contoso","model":"Gateway-1","hwRevision":"1.0"}')]] as const) {
    json(`ddi/targets: attributes ${name}`, 'POST', '/api/v1/ddi/targets', target('gw-hostile-attributes', value), 'refuse');
  }
  for (const scope of ['site:', `site:${'s'.repeat(10_000)}`, 'site:%00', 'site:..%2f..', 'Global', '__proto__', 'constructor', 'site:a%20b', '%c0%ae']) {
    json(`configuration scope ${JSON.stringify(scope.slice(0, 30))}`, 'PUT', `/api/v1/configuration/${scope}`, '{"maxLogFileSize":1024}', 'any');
  }
  for (const id of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00', "1' OR '1'='1", '..%2f..%2fhealthz', 'x'.repeat(5000), '__proto__']) {
    for (const [method, path] of [['GET', '/api/v1/rules/'], ['POST', '/api/v1/rules/ID/approve'], ['DELETE', '/api/v1/tokens/'], ['GET', '/api/v1/imports/'], ['PATCH', '/api/v1/test-devices/'], ['GET', '/api/v1/device-logs/ID/content'], ['GET', '/api/v1/devices/'], ['GET', '/api/v1/ddi/targets/'], ['POST', '/api/v1/ddi/targets/ID/token'], ['DELETE', '/api/v1/ddi/targets/'], ['POST', '/api/v1/ddi/actions/ID/retry']]) {
      const url = path.includes('ID') ? path.replace('ID', id) : `${path}${id}`;
      json(`${method} ${path} with id ${JSON.stringify(id.slice(0, 20))}`, method, url, method === 'GET' || method === 'DELETE' ? '' : '{}', 'refuse');
    }
  }

  // Admin queries: forged cursors, bad filters and limits on every list.
  const lists = ['/api/v1/imports', '/api/v1/tokens', '/api/v1/rules', '/api/v1/test-devices', '/api/v1/phone-users', '/api/v1/audit/admin', '/api/v1/audit/requests', '/api/v1/devices', '/api/v1/device-logs', '/api/v1/nodes', '/api/v1/configuration', '/api/v1/ddi/targets', '/api/v1/ddi/actions'];
  const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
  const cursors = [
    ['not base64 JSON', 'AAAA'],
    ['time text garbage', cursor(['not a time', '00000000-0000-0000-0000-000000000000'])],
    ['time far future', cursor(['99999-01-01 00:00:00+00', '00000000-0000-0000-0000-000000000000'])],
    ['id not a uuid', cursor(['2026-01-01 00:00:00+00', 'x'])],
    ['NUL parts', cursor(['\u0000', '\u0000'])],
    ['six NUL parts', cursor(Array.from({ length: 6 }, () => '\u0000'))],
    ['one NUL part', cursor(['\u0000'])],
    ['micros overflow', cursor(['99999999999999999', '1'])],
    ['numbers', cursor([1, 2])],
    ['object', cursor({ a: 1 })],
    ['SQL', cursor(["2026-01-01'); DROP TABLE rules; --", "'"])],
    ['huge', 'A'.repeat(5000)],
  ];
  for (const list of lists) {
    const q = (name: string, query: string, expect: 'refuse' | 'any', field?: string) =>
      cases.push({ category: 'admin-query', name: `${list.replace('/api/v1/', '')}: ${name}`, listener: 'internal', phone: false, expect, field, request: { method: 'GET', path: `${list}?${query}`, headers: admin() } });
    // Lists keyed by text (rules, test devices, phone users) take any text but NUL as a cursor; the
    // others (a time and an id) must refuse every forgery but a well-formed one.
    const textKeyed = ['nodes', 'configuration', 'rules', 'test-devices', 'phone-users'].some((name) => list.endsWith(name));
    for (const [name, value] of cursors) {
      const expect = textKeyed ? (name.includes('NUL') && !list.endsWith('nodes') && !list.endsWith('configuration') ? 'refuse' : 'any') : name === 'micros overflow' ? 'any' : 'refuse';
      q(`cursor ${name}`, `cursor=${value}`, expect, 'cursor');
    }
    for (const [name, value] of [['-1', '-1'], ['0', '0'], ['1e400', '1e400'], ['NaN', 'NaN'], ['10^30', '1'.repeat(30)], ['array', '1&limit=2'], ['hex', '0x10']]) {
      q(`limit ${name}`, `limit=${value}`, 'any');
    }
    let spread = lists.indexOf(list);
    for (const filter of ['deviceType', 'brand', 'model', 'macAddress', 'serialNumber', 'nodeId', 'since', 'until', 'seenSince', 'version', 'logType', 'updateType', 'locale', 'revision', 'controllerId', 'status', 'vendor', 'hwRevision']) {
      for (const [name, value] of [['NUL', '%00'], ['huge', 'x'.repeat(6000)], ['SQL', "'%20OR%201=1--"], ['wildcards', '%25%25*_'], ['bad date', '2026-13-45T99:99:99Z'], ['overlong UTF-8', '%c0%ae'], ['array', 'a&' + filter + '=b']]) {
        // The short run takes every fourth pair (a different quarter per list); the long one all.
        if (settings.scale > 1 || spread++ % 4 === 0) q(`${filter}=${name}`, `${filter}=${value}`, 'any');
      }
    }
    if (list.startsWith('/api/v1/ddi/')) {
      // One part, the last item's key: a controller id (any text but NUL), an action id (a number).
      const actions = list.endsWith('actions');
      for (const [name, key] of [['a word', 'not an id'], ['a number too large', '9'.repeat(30)], ['a negative number', '-1'], ['SQL', "1); DELETE FROM ddi_actions; --"]]) {
        q(`cursor of ${name}`, `cursor=${cursor([key])}`, actions ? 'refuse' : 'any', actions ? 'cursor' : undefined);
      }
    }
    q('__proto__ in the query', '__proto__[isAdmin]=1&constructor[prototype][x]=1', 'any');
    q('unknown field', 'nosuchfield=1', 'refuse', 'nosuchfield');
  }
  for (const date of ['', '2026-02-30', '../../etc', '%00', '9'.repeat(400), '2026-01-01T00:00:00Z']) {
    cases.push({ category: 'admin-query', name: `audit export date ${JSON.stringify(date.slice(0, 20))}`, listener: 'internal', phone: false, expect: 'refuse', field: 'date', request: { method: 'GET', path: `/api/v1/audit/requests/export?date=${date}`, headers: admin() } });
  }
  // The node id becomes part of the export's file name (Content-Disposition).
  for (const node of ['', '..%2F..%2Fetc', '%22%0D%0AX-Injected:%201', 'a%3Bb', '%00', 'n'.repeat(64)]) {
    cases.push({ category: 'admin-query', name: `audit export nodeId ${JSON.stringify(node.slice(0, 20))}`, listener: 'internal', phone: false, expect: 'refuse', field: 'nodeId', request: { method: 'GET', path: `/api/v1/audit/requests/export?date=2026-01-01&nodeId=${node}`, headers: admin() } });
  }

  // URL paths: every encoding of `..` on the file endpoints and elsewhere.
  const externalToken = settings.externalFolder.split('/')[2];
  for (const path of traversalPaths(settings, random, settings.scale)) {
    cases.push({ category: 'path', name: path.length > 90 ? `${path.slice(0, 90)}…` : path, listener: 'internal', phone: true, expect: 'refuse', request: { method: 'GET', path } });
    // A third of the internal store's paths again on the external one, with a query token that
    // means nothing there. Not those that hold the real folder token (they are about a token on
    // the internal store): on the external store `/~<token>/<the file>` is the file's own URL,
    // which must be served (the `?t=` is ignored), so "refuse" would be wrong for them.
    if (path.startsWith('/DeviceUpdateFiles_Int/') && !path.includes(externalToken) && cases.length % 3 === 0) {
      const external = path.replace('/DeviceUpdateFiles_Int', '/DeviceUpdateFiles_Ext');
      cases.push({ category: 'path', name: `ext ${external.slice(0, 90)}`, listener: 'external', phone: true, expect: 'refuse', request: { method: 'GET', path: `${external}?t=1.${'A'.repeat(43)}` } });
    }
  }
  cases.push({ category: 'path', name: 'control: the file itself', listener: 'internal', phone: true, expect: 'any', request: { method: 'GET', path: `/DeviceUpdateFiles_Int${settings.filePath}` } });
  for (const path of externalTokenPaths(settings, random)) {
    cases.push({ category: 'path', name: `ext ${path.length > 90 ? `${path.slice(0, 90)}…` : path}`, listener: 'external', phone: true, expect: 'refuse', request: { method: 'GET', path } });
  }
  const fileName = settings.filePath.slice(settings.filePath.lastIndexOf('/'));
  for (const [name, path] of [
    ['ExternalBaseURL + file name', `${settings.externalFolder}${fileName}`],
    ['ExternalBaseURL + file name, ~ encoded', `${settings.externalFolder.replace('/~', '/%7E')}${fileName}`],
    ['ExternalBaseURL + file name, alias', `${settings.externalFolder.replace('/DeviceUpdateFiles_Ext/', '/RequestHandlerExt/Files/')}${fileName}`],
  ]) {
    cases.push({ category: 'path', name: `control: ${name}`, listener: 'external', phone: true, expect: 'any', request: { method: 'GET', path } });
  }
  for (const path of ['/api/v1/../healthz', '/api/v1/%2e%2e/%2e%2e/etc/passwd', '/API/V1/TOKENS', '//api//v1//tokens', '/api/v1/tokens%00', '/api/v1/tokens/..%2f..%2f', '/cp/../../package.json', '/cp/%2e%2e/%2e%2e/.pool/test/secrets.json', '/cp/..%5c..%5cpackage.json', '/api/docs/..%2f..%2fpackage.json', '/api/docs/%2e%2e%2fswagger-ui.css', '/RequestHandler/Logs/..%2f..%2f/x.dmp', '/RequestHandler/ucdevice.upx/../../api/v1/tokens', '/\\api\\v1\\tokens', '/%5capi%5cv1%5ctokens', `/${'..%2f'.repeat(200)}`, '/%', '/%zz', '/*', '/?', '/#x']) {
    cases.push({ category: 'path', name: path.length > 90 ? `${path.slice(0, 90)}…` : path, listener: 'internal', phone: false, expect: path === '/API/V1/TOKENS' ? 'any' : 'refuse', request: { method: 'GET', path } });
  }
  for (const path of ['/api/v1/tokens', '/healthz', '/metrics', '/cp/', '/RequestHandler/ucdevice.upx', '/DeviceUpdateFiles_Int/x', '/RequestHandlerExt/../api/v1/nodes', '/REQUESTHANDLEREXT/%2e%2e/api/v1/tokens']) {
    cases.push({ category: 'path', name: `external ${path}`, listener: 'external', phone: true, expect: 'refuse', request: { method: 'GET', path, headers: [['Authorization', `Bearer ${settings.adminToken}`]] } });
  }

  // Hostile headers.
  const header = (name: string, listener: Listener, method: string, path: string, headers: [string, string][], expect: 'refuse' | 'any', phone: boolean, body?: string) =>
    cases.push({ category: 'headers', name, listener, phone, expect, request: { method, path, headers, body } });
  const filePath = `/DeviceUpdateFiles_Int${settings.filePath}`;
  header('header of 64 KiB', 'internal', 'GET', '/healthz', [['X-Big', 'x'.repeat(64 * 1024)]], 'refuse', false);
  header('3000 headers', 'internal', 'GET', '/healthz', Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v'] as [string, string]), 'any', false);
  header('NUL in a header value', 'internal', 'GET', '/healthz', [['X-Nul', 'a\u0000b']], 'refuse', false);
  header('no Host', 'internal', 'GET', '/healthz', [['Host', '']], 'any', false);
  header('Host with a path', 'internal', 'POST', '/RequestHandler/ucdevice.upx', [['Host', 'evil.example/../x'], ['Content-Type', XML]], 'refuse', true, VALID_CHECK);
  header('Host with markup', 'internal', 'POST', '/RequestHandler/ucdevice.upx', [['Host', '<script>'], ['Content-Type', XML]], 'refuse', true, VALID_CHECK);
  header('Host of 5000 chars', 'internal', 'POST', '/RequestHandler/ucdevice.upx', [['Host', 'h'.repeat(5000)], ['Content-Type', XML]], 'refuse', true, VALID_CHECK);
  header('untrusted X-Forwarded-Host', 'internal', 'POST', '/RequestHandler/ucdevice.upx', [['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Proto', 'gopher'], ['Content-Type', XML]], 'any', true, VALID_CHECK);
  header('X-Request-Id of 10k chars', 'internal', 'POST', '/RequestHandler/ucdevice.upx', [['X-Request-Id', 'r'.repeat(10_000)], ['Content-Type', XML]], 'any', true, VALID_CHECK);
  header('X-Request-Id with markup', 'internal', 'POST', '/RequestHandler/ucdevice.upx', [['X-Request-Id', '<x>"\'&'], ['Content-Type', XML]], 'any', true, VALID_CHECK);
  for (const auth of ['Bearer', 'Bearer ', `Bearer ${'A'.repeat(600)}`, 'Bearer ../../../etc/passwd', 'Basic YWRtaW46YWRtaW4=', `Bearer ${settings.adminToken}\u0000`, 'bearer ' + settings.adminToken.toUpperCase(), 'Bearer ' + 'ucu_' + 'x'.repeat(40)]) {
    header(`admin Authorization ${JSON.stringify(auth.slice(0, 30))}`, 'internal', 'GET', '/api/v1/tokens', [['Authorization', auth]], 'refuse', false);
  }
  for (const cookie of ['ucu_session=../../etc/passwd', `ucu_session=${'s'.repeat(4000)}`, 'ucu_session=%00', 'ucu_session="x"; ucu_session=y', '__proto__=1; constructor=2']) {
    header(`Cookie ${JSON.stringify(cookie.slice(0, 30))}`, 'internal', 'GET', '/api/v1/tokens', [['Cookie', cookie]], 'refuse', false);
  }
  for (const auth of ['Basic', 'Basic !!!!', `Basic ${Buffer.from('sip:a@b').toString('base64')}`, `Basic ${Buffer.from(`sip:${'a'.repeat(100_000)}@b:pw`).toString('base64').slice(0, 60_000)}`, `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}`, `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc0]).toString('base64')}`, 'Negotiate YIIB', 'Bearer x']) {
    header(`phone Authorization ${JSON.stringify(auth.slice(0, 30))}`, 'external', 'POST', '/RequestHandlerExt/ucdevice.upx', [['Authorization', auth], ['Content-Type', XML]], 'refuse', true, VALID_CHECK);
  }
  for (const range of ['bytes=-0', 'bytes=99999999999999999999-', 'bytes=5-1', 'bytes=0-0,' + Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(','), 'bytes=--1', 'items=0-1', 'bytes=0x10-', `bytes=${'9'.repeat(400)}-`]) {
    header(`Range ${JSON.stringify(range.slice(0, 30))}`, 'internal', 'GET', filePath, [['Range', range]], 'any', true);
  }
  header('If-None-Match of 8 KiB', 'internal', 'GET', filePath, [['If-None-Match', `"${'e'.repeat(8000)}"`]], 'any', true);
  header('If-None-Match *', 'internal', 'GET', filePath, [['If-None-Match', '*']], 'any', true);
  header('download token garbage', 'external', 'GET', `/DeviceUpdateFiles_Ext${settings.filePath}?t=${encodeURIComponentLoose('1.<script>')}`, [], 'refuse', true);
  header('download token twice', 'external', 'GET', `/DeviceUpdateFiles_Ext${settings.filePath}?t=1.${'A'.repeat(43)}&t=2.${'B'.repeat(43)}`, [], 'refuse', true);
  header('download token of 100 KiB', 'external', 'GET', `/DeviceUpdateFiles_Ext${settings.filePath}?t=${'9'.repeat(7000)}`, [], 'refuse', true);
  header('unknown method on a phone path', 'internal', 'PROPFIND', '/RequestHandler/ucdevice.upx', [], 'refuse', true);
  header('TRACE', 'internal', 'TRACE', '/api/v1/tokens', [], 'refuse', false);
  header('OPTIONS on the admin API', 'internal', 'OPTIONS', '/api/v1/tokens', [], 'refuse', false);
  cases.push({ category: 'headers', name: 'CONNECT', listener: 'internal', phone: false, expect: 'refuse', mayGoUnanswered: true, request: { method: 'CONNECT', path: '127.0.0.1:22' } });
  header('absolute-form request target', 'internal', 'GET', 'http://evil.example/api/v1/tokens', [], 'refuse', false);
  header('HTTP/1.1 request line with spaces in the path', 'internal', 'GET', '/api/v1/ tokens', [], 'refuse', false);
  if (settings.directory) cases.push(...directorySignIns());
  cases.push(...ddiCases(settings));
  return cases;
}

/**
 * Sign-ins against the directory (docs/directory.md) with user names made to widen its search
 * (RFC 4515's `*`, `(`, `)`, `\`, NUL, characters beyond ASCII) and hostile passwords, on the
 * external listener's Basic sign-in and on the control panel's `POST /api/v1/session`. Each
 * injected name comes with the password of the one user it would find if the filter were not
 * escaped, so a widened search shows as a 200 (or 201), not as a refusal. All must be refused
 * 4xx, never 5xx; the right credentials are the controls.
 */
function directorySignIns(): HostileCase[] {
  const { alice, olga, adam, jose } = TEST_DIRECTORY.users;
  const cases: HostileCase[] = [];
  const phone = (name: string, userId: string, password: string, expect: 'refuse' | 'any' = 'refuse') => {
    const auth = `Basic ${Buffer.from(`${userId}:${password}`, 'utf8').toString('base64')}`;
    cases.push({ category: 'directory', name: `phone ${name}`, listener: 'external', phone: true, expect, request: { method: 'POST', path: '/RequestHandlerExt/ucdevice.upx', headers: [['Content-Type', XML], ['Authorization', auth]], body: VALID_CHECK } });
  };
  const panel = (name: string, user: string, password: string, expect: 'refuse' | 'any' = 'refuse', field?: string) =>
    cases.push({ category: 'directory', name: `panel ${name}`, listener: 'internal', phone: false, expect, field, request: { method: 'POST', path: '/api/v1/session', headers: [['Content-Type', 'application/json']], body: JSON.stringify({ user, password }) } });

  phone('control: a directory user', alice.userId, alice.password, 'any');
  const mail = alice.userId.slice('sip:'.length); // alice@ucupdates.test, what the filter compares
  for (const [name, userId] of [
    ['a bare *', '*'],
    ['sip:*', 'sip:*'],
    ['a trailing *', `sip:${mail.slice(0, 3)}*`],
    ['a * inside', `sip:al*e@ucupdates.test`],
    ['* for the domain', `sip:${mail.split('@')[0]}@*`],
    ['a second condition', `sip:${mail})(mail=*`],
    ['an OR of its own', `sip:*)(|(mail=*`],
    ['a closing paren', `sip:${mail})`],
    ['an opening paren', `sip:(${mail}`],
    ['an escape of its own (\\2a)', 'sip:al\\2a'],
    ['an escaped i', `sip:al\\69ce@ucupdates.test`],
    ['a lone backslash', `sip:${mail}\\`],
    ['a NUL after the id', `${alice.userId}\u0000`],
    ['a NUL and a wildcard', `sip:al\u0000*`],
    ['Cyrillic a', `sip:\u0430lice@ucupdates.test`],
    ['fullwidth *', `sip:al\uff0a@ucupdates.test`],
    ['an emoji', `sip:\u{1f600}@ucupdates.test`],
    ['a combining accent', `sip:alice\u0301@ucupdates.test`],
    ['a right-to-left override', `sip:\u202ealice@ucupdates.test`],
    ['300 characters', `sip:${'a'.repeat(300)}@ucupdates.test`],
    ['the uid instead of the mail', `sip:${alice.uid}`],
    ['upper case and a *', `SIP:ALICE@UCUPDATES.TEST*`],
  ]) {
    phone(`user id ${name}`, userId, alice.password);
  }
  for (const [name, password] of [
    ['empty', ''],
    ['*', '*'],
    ['a filter', '*)(userPassword=*'],
    ['a NUL after the right one', `${alice.password}\u0000`],
    ['the right one with a trailing space', `${alice.password} `],
    ['non-ASCII', 'p\u00e4ssw\u00f6rd\u{1f511}'],
    ['2000 characters', 'p'.repeat(2000)],
  ]) {
    phone(`alice with a password ${name}`, alice.userId, password);
  }

  panel('control: an operator', olga.uid, olga.password, 'any');
  panel('control: a user name beyond ASCII', jose.uid, jose.password, 'any');
  for (const [name, user] of [
    ['a bare *', '*'],
    ['a trailing *', 'ol*'],
    ['a * inside', 'o*a'],
    ['a second condition', 'olga)(uid=*'],
    ['an OR of its own', '*)(|(uid=*'],
    ['an AND of its own', '(&(uid=olga))'],
    ['parens only', '()'],
    ['an escape of its own (\\2a)', 'ol\\2a'],
    ['an escaped g', 'ol\\67a'],
    ['a lone backslash', '\\'],
    ['a NUL in the middle', 'ol\u0000ga'],
    ['Cyrillic o', '\u043elga'],
    ['the name decomposed', 'jose\u0301'],
    ['the mail instead of the uid', olga.userId.slice('sip:'.length)],
    ['a DN', 'uid=olga,ou=people,dc=ucupdates,dc=test'],
    ['upper case and a *', 'OLGA*'],
  ]) {
    panel(`user name ${name}`, user, olga.password);
  }
  panel('an admin\'s name with a * and his password', 'ad*', adam.password);
  for (const [name, password] of [
    ['*', '*'],
    ['a filter', '*)(userPassword=*'],
    ['the right one with a trailing space', `${olga.password} `],
    ['non-ASCII', 'p\u00e4ssw\u00f6rd\u{1f511}'],
  ]) {
    panel(`olga with a password ${name}`, olga.uid, password);
  }
  // Refused by the input schema before the directory is asked: the field is named.
  panel('an empty password', olga.uid, '', 'refuse', 'password');
  panel('an empty user name', '', olga.password, 'refuse', 'user');
  panel('a NUL user name', '\u0000', olga.password, 'refuse', 'user');
  panel('a lone surrogate in the password', olga.uid, '\ud800', 'refuse', 'password');
  panel('a 300-character user name', 'o'.repeat(300), olga.password, 'refuse', 'user');
  return cases;
}

/**
 * Hostile DDI requests (ddi.md) on both listeners: credentials, tenants, controller and action
 * ids, feedback and configData bodies. None may be a 5xx; every refusal is DDI's JSON.
 */
function ddiCases(settings: CorpusSettings): HostileCase[] {
  const { controllerId, token } = settings.ddi;
  const own: [string, string] = ['Authorization', `TargetToken ${token}`];
  const base = `/DEFAULT/controller/v1/${controllerId}`;
  const cases: HostileCase[] = [];
  const add = (name: string, method: string, path: string, headers: [string, string][], expect: 'refuse' | 'any', body?: string) => {
    for (const listener of ['internal', 'external'] as const) {
      cases.push({ category: 'ddi', name, listener, phone: false, ddi: true, expect, request: { method, path, headers, body } });
    }
  };
  const json = (): [string, string][] => [own, ['Content-Type', 'application/json']];
  add('control: a poll', 'GET', base, [own], 'any');
  add('control: a poll with SWUpdate headers', 'GET', base, [own, ['Content-Type', 'application/json'], ['charsets', 'utf-8'], ['Accept', 'application/hal+json']], 'any');
  for (const auth of ['', 'TargetToken', 'TargetToken ', `TargetToken ${'A'.repeat(600)}`, `TargetToken ${token}\u0000`, 'GatewayToken nope', `Bearer ${settings.adminToken}`, settings.phoneAuth, 'TargetToken ../../etc/passwd', `targettoken ${token.toUpperCase()}`]) {
    add(`Authorization ${JSON.stringify(auth.slice(0, 30))}`, 'GET', base, auth === '' ? [] : [['Authorization', auth]], 'refuse');
  }
  for (const tenant of ['OTHER', 'default', '%2e%2e', '..', 'DEFAULT%00', 'x'.repeat(300)]) {
    add(`tenant ${JSON.stringify(tenant.slice(0, 30))}`, 'GET', `/${tenant}/controller/v1/${controllerId}`, [own], 'refuse');
  }
  for (const id of ['x'.repeat(65), 'a%20b', 'a%2Fb', '%2e%2e', '..%2f..%2fapi', '%c0%ae', 'a%00', encodeURIComponentLoose('ü'), '%F0%9F%92%A9', `${controllerId}%0d%0aX-Evil:%201`]) {
    add(`controller id ${JSON.stringify(id.slice(0, 30))}`, 'GET', `/DEFAULT/controller/v1/${id}`, [own], 'refuse');
  }
  for (const action of ['0', '-1', '1e99', 'abc', '%00', '99999999999999999999999', '1.5', '0x10', '%2e%2e']) {
    add(`deploymentBase ${JSON.stringify(action)}`, 'GET', `${base}/deploymentBase/${action}`, [own], 'refuse');
    add(`cancelAction ${JSON.stringify(action)}`, 'GET', `${base}/cancelAction/${action}`, [own], 'refuse');
  }
  for (const name of ['..%2f..%2fetc%2fpasswd', '%2e%2e', 'a.swu%00.txt', 'x'.repeat(300)]) {
    add(`artifact ${JSON.stringify(name.slice(0, 30))}`, 'GET', `${base}/softwaremodules/1/artifacts/${name}`, [own], 'refuse');
  }
  const feedbacks: [string, string][] = [
    ['not JSON', '{"status": '],
    ['empty', ''],
    ['null', 'null'],
    ['an array', '[]'],
    ['no status', '{"id": 1}'],
    ['an unknown execution', '{"status": {"execution": "exploded"}}'],
    ['a status of the wrong type', '{"status": "closed"}'],
    ['details of objects', '{"status": {"execution": "closed", "details": [{}]}}'],
    ['prototype pollution', '{"__proto__": {"status": {"execution": "closed"}}, "constructor": {"prototype": {}}}'],
    ['deep nesting', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
    ['a progress of 1e400', '{"status": {"execution": "proceeding", "result": {"progress": {"cnt": 1e400, "of": 1}}}}'],
    ['100000 details', JSON.stringify({ status: { execution: 'closed', details: Array.from({ length: 100_000 }, () => 'x') } })],
  ];
  for (const [name, body] of feedbacks) {
    add(`feedback ${name}`, 'POST', `${base}/deploymentBase/1/feedback`, json(), 'refuse', body);
    add(`cancel feedback ${name}`, 'POST', `${base}/cancelAction/1/feedback`, json(), 'refuse', body);
  }
  const configData: [string, string, 'refuse' | 'any'][] = [
    ['control: attributes', JSON.stringify({ data: { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' } }), 'any'],
    ['no data', '{}', 'refuse'],
    ['data of numbers', '{"data": {"vendor": 1}}', 'refuse'],
    ['a value of 10000 chars', JSON.stringify({ data: { vendor: 'v'.repeat(10_000) } }), 'refuse'],
    ['1000 attributes', JSON.stringify({ data: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'])) }), 'refuse'],
    ['an unknown mode', '{"mode": "explode", "data": {}}', 'refuse'],
    ['not JSON', 'vendor=Contoso', 'refuse'],
  ];
  for (const [name, body, expect] of configData) {
    add(`configData ${name}`, 'PUT', `${base}/configData`, json(), expect, body);
  }
  add('configData as text/plain', 'PUT', `${base}/configData`, [own, ['Content-Type', 'text/plain']], 'refuse', '{"data": {}}');
  add('feedback with a body of 2 MiB', 'POST', `${base}/deploymentBase/1/feedback`, json(), 'refuse', `{"status": {"execution": "closed", "details": ["${'x'.repeat(2 * 1024 * 1024)}"]}}`);
  add('DELETE on a poll', 'DELETE', base, [own], 'refuse');
  return cases;
}
