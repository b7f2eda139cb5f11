import { isValidSerialNumber, normaliseMac, RuleError } from '@ucupdates/rules';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProtocolError, quoteInput } from './protocol-error';
import { indexOfNonXmlCharacter, isXmlCodePoint, lineAt } from './xml-text';

/** The largest update-check body accepted (phone-protocol.md: "at most 64 KiB"). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Bounds checked by a linear scan before the text reaches the validator and the parser, so that a
 * hostile body is refused with a 400 that says why, whatever the libraries would do with it.
 * A real request is four levels deep (Request/Modules/Module/UpdateType) and has a dozen elements
 * plus five per module; the bounds leave room for unknown (future) elements.
 */
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 4096;
const MAX_MODULES = 256;
/** What the audit and the inventory keep of a serial number. */
const MAX_SERIAL_LENGTH = 128;

/** One update installed on the device, as it reports it. */
export interface RequestModule {
  /**
   * Null when the module names none (Lync's audit records only Filename, Version and Timestamp):
   * resolveModuleUpdateTypes then finds it by the file name.
   */
  updateType: string | null;
  /** '' when absent; never '' when updateType is null. */
  filename: string;
  /** As reported (not validated: a garbled version just differs from every offered one); '' when absent. */
  version: string;
  timestamp: string | null;
}

/** An update check, read and validated; every value is trimmed text. */
export interface UpdateCheckRequest {
  deviceType: string;
  /** Normalised by normaliseMac (upper-case pairs joined by '-'); null when absent or empty. */
  macAddress: string | null;
  /** A valid serial number (isValidSerialNumber); null when absent or empty. */
  serialNumber: string | null;
  vendor: string;
  model: string;
  /** '' when absent. */
  revision: string;
  /** '' when absent. */
  locale: string;
  userId: string | null;
  modules: RequestModule[];
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';

/**
 * `preserveOrder` keeps text, CDATA and repeated elements apart and in document order, so that
 * duplicates are seen and CDATA is kept verbatim while references in text are decoded here.
 * Entities are not processed by the parser at all: DTDs are refused before parsing, and the five
 * predefined entities and character references are decoded by `decodeReferences`.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  removeNSPrefix: true,
  cdataPropName: CDATA,
  maxNestedTags: MAX_DEPTH,
});

/** A node of fast-xml-parser's `preserveOrder` output: `{ [tag]: children }`, `{ '#text': text }` or `{ '#cdata': [...] }`. */
type OrderedNode = Record<string, unknown>;

interface XmlElement {
  name: string;
  children: OrderedNode[];
}

const IDENTITY_ELEMENTS = ['DeviceType', 'MacAddress', 'SerialNumber', 'Vendor', 'Model', 'Revision', 'Locale', 'UserId'];
const MODULE_ELEMENTS = ['UpdateType', 'Filename', 'Version', 'Timestamp'];

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function badRequest(message: string): ProtocolError {
  return new ProtocolError(400, 'BadRequest', message);
}

/** An element name as shown in a message; names in hostile bodies can be long. */
function shown(name: string): string {
  return `<${name.length > 40 ? `${name.slice(0, 40)}…` : name}>`;
}

/**
 * Reads and validates the body of an update check (phone-protocol.md). Throws
 * `ProtocolError(413, 'RequestTooLarge')` for a body over MAX_REQUEST_BYTES and
 * `ProtocolError(400, 'BadRequest')` naming the problem for anything else that is wrong; it throws
 * nothing else, whatever the body holds.
 */
export function parseUpdateCheckRequest(body: string | Buffer): UpdateCheckRequest {
  const text = decodeBody(body);
  checkPrologue(text);
  checkStructure(text);
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    throw badRequest(`not well-formed XML: ${clip(validation.err.msg)} (line ${validation.err.line})`);
  }
  let document: OrderedNode[];
  try {
    document = parser.parse(text) as OrderedNode[];
  } catch (error) {
    // The checks above leave little for the parser to object to; what it still refuses (e.g. an
    // element named `constructor`) is the phone's fault too.
    throw badRequest(`the XML could not be read: ${clip(error instanceof Error ? error.message : String(error))}`);
  }
  const roots = elementsOf(document);
  if (roots.length !== 1 || roots[0].name !== 'Request') {
    throw badRequest(`the root element must be <Request>${roots.length === 1 ? `, not ${shown(roots[0].name)}` : ''}`);
  }
  return readRequest(roots[0]);
}

function clip(message: string): string {
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

function decodeBody(body: string | Buffer): string {
  // Every UTF-16 code unit takes at least one byte in UTF-8, so a long string needs no counting.
  const bytes =
    typeof body === 'string' ? (body.length > MAX_REQUEST_BYTES ? Infinity : Buffer.byteLength(body, 'utf8')) : body.length;
  if (bytes > MAX_REQUEST_BYTES) {
    throw new ProtocolError(413, 'RequestTooLarge', `the request body is larger than ${MAX_REQUEST_BYTES} bytes`);
  }
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch {
      throw badRequest('the body is not valid UTF-8');
    }
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** The encoding named by the XML declaration, DTDs, and characters XML cannot carry. */
function checkPrologue(text: string): void {
  const declaration = /^\s*<\?xml\s([^>]*?)\?>/.exec(text);
  if (declaration) {
    const encoding = /\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(declaration[1]);
    const name = encoding?.[1] ?? encoding?.[2];
    if (name !== undefined && name.toLowerCase() !== 'utf-8') {
      throw badRequest(`the XML declaration names the encoding ${quoteInput(name)}; requests must be UTF-8`);
    }
  }
  // Anywhere, even in a comment or CDATA: a phone has no reason to send either, and refusing
  // outright is simpler to trust than knowing where a declaration would count.
  const declarationAt = text.search(/<!(?:DOCTYPE|ENTITY)/i);
  if (declarationAt !== -1) {
    throw badRequest(`DTDs and entity declarations are not accepted (line ${lineAt(text, declarationAt)})`);
  }
  const invalidAt = indexOfNonXmlCharacter(text);
  if (invalidAt !== -1) {
    const codePoint = text.codePointAt(invalidAt)!.toString(16).toUpperCase().padStart(4, '0');
    throw badRequest(`the character U+${codePoint} on line ${lineAt(text, invalidAt)} is not allowed in XML`);
  }
}

/**
 * Counts nesting, elements and modules in one forward pass (no recursion, each character seen a
 * bounded number of times). It does not judge well-formedness: where the markup is broken it stops
 * and leaves the verdict to the validator.
 */
function checkStructure(text: string): void {
  const open: string[] = [];
  let elements = 0;
  let modules = 0;
  let at = text.indexOf('<');
  while (at !== -1) {
    let next: number;
    if (text.startsWith('<!--', at)) {
      next = indexAfter(text, '-->', at + 4);
    } else if (text.startsWith('<![CDATA[', at)) {
      next = indexAfter(text, ']]>', at + 9);
    } else if (text.startsWith('<?', at)) {
      next = indexAfter(text, '?>', at + 2);
    } else if (text.startsWith('<!', at)) {
      throw badRequest(`markup declarations (<!…>) are not accepted (line ${lineAt(text, at)})`);
    } else {
      const end = tagEnd(text, at + 1);
      if (end === -1) return;
      if (text[at + 1] === '/') {
        open.pop();
      } else {
        if (++elements > MAX_ELEMENTS) {
          throw badRequest(`the request has more than ${MAX_ELEMENTS} elements`);
        }
        const name = localName(text, at + 1);
        if (name === 'Module' && open.length === 2 && open[0] === 'Request' && open[1] === 'Modules' && ++modules > MAX_MODULES) {
          throw badRequest(`the request lists more than ${MAX_MODULES} modules`);
        }
        if (text[end - 1] !== '/') {
          open.push(name);
          if (open.length > MAX_DEPTH) {
            throw badRequest(`elements are nested deeper than ${MAX_DEPTH} levels (line ${lineAt(text, at)})`);
          }
        }
      }
      next = end + 1;
    }
    if (next === -1) return;
    at = text.indexOf('<', next);
  }
}

function indexAfter(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  return found === -1 ? -1 : found + terminator.length;
}

/** The `>` that ends the tag starting before `from`, skipping quoted attribute values; -1 if none. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let at = from; at < text.length; at++) {
    const character = text[at];
    if (quote !== '') {
      if (character === quote) quote = '';
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '>') {
      return at;
    }
  }
  return -1;
}

/** The tag name at `from` without its namespace prefix, as the parser's removeNSPrefix does. */
function localName(text: string, from: number): string {
  const pattern = /[^\s/>]*/y;
  pattern.lastIndex = from;
  const name = pattern.exec(text)![0];
  return name.slice(name.indexOf(':') + 1);
}

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ATTRIBUTES);
}

function elementsOf(nodes: OrderedNode[]): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    const name = tagOf(node);
    if (name !== undefined && name !== TEXT && name !== CDATA) {
      elements.push({ name, children: node[name] as OrderedNode[] });
    }
  }
  return elements;
}

/** The element's text and CDATA in document order, references decoded in text only, trimmed. */
function textOf(element: XmlElement): string {
  let text = '';
  for (const node of element.children) {
    const name = tagOf(node);
    if (name === TEXT) {
      text += decodeReferences(String(node[TEXT]), element.name);
    } else if (name === CDATA) {
      text += (node[CDATA] as OrderedNode[]).map((part) => String(part[TEXT] ?? '')).join('');
    } else if (name !== undefined) {
      throw badRequest(`<${element.name}> must hold text, not the element ${shown(name)}`);
    }
  }
  return text.trim();
}

/** The five predefined entities and character references; with DTDs refused, nothing else is defined. */
function decodeReferences(text: string, element: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^&;]*);/g, (reference: string, name: string) => {
    if (Object.hasOwn(PREDEFINED_ENTITIES, name)) return PREDEFINED_ENTITIES[name];
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(name);
    if (numeric) {
      const codePoint = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
      if (isXmlCodePoint(codePoint)) return String.fromCodePoint(codePoint);
    }
    throw badRequest(
      `<${element}> holds the reference ${quoteInput(reference)}, which is neither a predefined entity ` +
        '(&lt; &gt; &amp; &apos; &quot;) nor a reference to a character XML allows',
    );
  });
}

/** The text of each of `names` found among the element's children; each may appear once. */
function readFields(element: XmlElement, names: readonly string[], where: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const child of elementsOf(element.children)) {
    if (!names.includes(child.name)) continue; // unknown elements are ignored (forward compatibility)
    if (fields.has(child.name)) {
      throw badRequest(`${where}<${child.name}> appears more than once`);
    }
    fields.set(child.name, textOf(child));
  }
  return fields;
}

function readRequest(request: XmlElement): UpdateCheckRequest {
  const fields = readFields(request, IDENTITY_ELEMENTS, '');
  const required = (name: string): string => {
    const value = fields.get(name) ?? '';
    if (value === '') throw badRequest(`<${name}> is missing or empty`);
    return value;
  };
  const optional = (name: string): string | null => fields.get(name) || null;

  const deviceType = required('DeviceType');
  const vendor = required('Vendor');
  const model = required('Model');
  const macAddress = readMacAddress(optional('MacAddress'));
  const serialNumber = optional('SerialNumber');
  if (serialNumber !== null && !isValidSerialNumber(serialNumber)) {
    throw badRequest(`<SerialNumber> ${quoteInput(serialNumber)} is not a serial number: expected ASCII letters, digits, "-" and "_"`);
  }
  if (serialNumber !== null && serialNumber.length > MAX_SERIAL_LENGTH) {
    throw badRequest(`<SerialNumber> is longer than ${MAX_SERIAL_LENGTH} characters`);
  }
  if (macAddress === null && serialNumber === null) {
    throw badRequest('the request needs a <MacAddress> or a <SerialNumber>');
  }
  const modulesElements = elementsOf(request.children).filter((child) => child.name === 'Modules');
  if (modulesElements.length > 1) {
    throw badRequest('<Modules> appears more than once');
  }
  return {
    deviceType,
    macAddress,
    serialNumber,
    vendor,
    model,
    revision: fields.get('Revision') ?? '',
    locale: fields.get('Locale') ?? '',
    userId: optional('UserId'),
    modules: modulesElements.length === 0 ? [] : readModules(modulesElements[0]),
  };
}

function readMacAddress(text: string | null): string | null {
  if (text === null) return null;
  try {
    return normaliseMac(text);
  } catch (error) {
    if (error instanceof RuleError) throw badRequest(`<MacAddress>: ${error.message}`);
    throw error;
  }
}

/**
 * One module per UpdateType: a device reports what it has installed of each, and two versions of
 * one UpdateType (compared case-insensitively, as rules match) would leave the offer undecidable.
 * A module without UpdateType is known by its Filename (resolveModuleUpdateTypes), so it needs one.
 */
function readModules(modulesElement: XmlElement): RequestModule[] {
  const modules: RequestModule[] = [];
  const updateTypes = new Set<string>();
  for (const element of elementsOf(modulesElement.children)) {
    if (element.name !== 'Module') continue;
    const where = `<Module> #${modules.length + 1}: `;
    const fields = readFields(element, MODULE_ELEMENTS, where);
    const updateType = fields.get('UpdateType') || null;
    const filename = fields.get('Filename') ?? '';
    if (updateType === null && filename === '') {
      throw badRequest(`${where}needs an <UpdateType> or a <Filename>`);
    }
    if (updateType !== null && updateTypes.has(updateType.toLowerCase())) {
      throw badRequest(`UpdateType ${quoteInput(updateType)} is listed in more than one <Module>`);
    }
    if (updateType !== null) updateTypes.add(updateType.toLowerCase());
    modules.push({
      updateType,
      filename,
      version: fields.get('Version') ?? '',
      timestamp: fields.get('Timestamp') || null,
    });
  }
  return modules;
}

/** A request module whose update type is known. */
export type TypedRequestModule = RequestModule & { updateType: string };

/**
 * Gives every module its update type (phone-protocol.md): one without `<UpdateType>` belongs to
 * the update type whose image file has its Filename (`updateTypeOfImage`, which compares file
 * names case-insensitively), else to the update type its file name's base names (`CPE.nbt` →
 * `CPE`; a name without a base is its own). Two modules that end up with one update type
 * (case-insensitively) are a 400, as two modules naming it are.
 */
export function resolveModuleUpdateTypes(
  modules: readonly RequestModule[],
  updateTypeOfImage: (filename: string) => string | undefined,
): TypedRequestModule[] {
  const seen = new Set(modules.flatMap((module) => (module.updateType === null ? [] : [module.updateType.toLowerCase()])));
  return modules.map((module, index) => {
    if (module.updateType !== null) return module as TypedRequestModule;
    const updateType = updateTypeOfImage(module.filename) ?? fileBaseName(module.filename);
    if (seen.has(updateType.toLowerCase())) {
      throw badRequest(
        `<Module> #${index + 1}: <Filename> ${quoteInput(module.filename)} is of UpdateType ${quoteInput(updateType)}, ` +
          'which another <Module> lists',
      );
    }
    seen.add(updateType.toLowerCase());
    return { ...module, updateType };
  });
}

/** `CPE.nbt` → `CPE`; `CPE`, `.nbt` → themselves. */
function fileBaseName(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(0, dot) : filename;
}
