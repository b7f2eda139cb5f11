import { isValidSerialNumber, normaliseMac, RuleError } from '@ucupdates/rules';
import { ProtocolError, quoteInput } from './protocol-error';
import { indexOfNonXmlCharacter, isXmlCodePoint, lineAt } from './xml-text';

/** The largest update-check body accepted (phone-protocol.md: "at most 64 KiB"). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Bounds checked as the one pass reads the markup, so that a hostile body is refused with a 400
 * that says why, after a bounded amount of work. A real request is four levels deep (Request/Modules/Module/UpdateType) and has a dozen elements
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

const IDENTITY_ELEMENTS = ['DeviceType', 'MacAddress', 'SerialNumber', 'Vendor', 'Model', 'Revision', 'Locale', 'UserId'];
const MODULE_ELEMENTS = ['UpdateType', 'Filename', 'Version', 'Timestamp'];
/** Names a generic XML-to-object reader would trip over; refused as the earlier parser refused them. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

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
 *
 * One pass over the markup (`readDocument`) checks well-formedness and the bounds and keeps only
 * the values the request is made of; two native scans before it refuse DTDs and characters XML
 * cannot carry. No tree is built.
 */
export function parseUpdateCheckRequest(body: string | Buffer): UpdateCheckRequest {
  const text = decodeBody(body);
  checkPrologue(text);
  return readRequest(readDocument(text));
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

/** The fields of one element (the request's identity, or a module) as the pass found them. */
interface FieldSet {
  values: Map<string, string>;
  /** The first problem with them in document order (a field twice, an element in a field, a bad reference). */
  error: ProtocolError | null;
}

/** What the pass keeps of a well-formed request. */
interface RequestDocument {
  root: string;
  identity: FieldSet;
  modulesElements: number;
  modules: FieldSet[];
}

/** What an open element is to the request: where its text goes, what its children are. */
const enum Role {
  Ignored,
  Root,
  IdentityField,
  Modules,
  Module,
  ModuleField,
  /** A second <Modules>: refused later, its contents not read. */
  OtherModules,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const AMP = 0x26;
const EQUALS = 0x3d;

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** XML's NameStartChar, with every non-ASCII character allowed (the scan before refused what XML cannot carry). */
function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a || code >= 0xc0;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0xb7;
}

/**
 * One forward pass over the document (each character looked at a bounded number of times, no
 * recursion): well-formedness (names, matching tags, attributes, references, one root, nothing
 * but blanks, comments and processing instructions outside it), the bounds (depth, elements,
 * modules), and the values of the fields the request is read from. Problems with the values are
 * kept and reported after the whole document is known to be well-formed, as a validator would.
 */
function readDocument(text: string): RequestDocument {
  const length = text.length;
  const names: string[] = [];
  const roles: Role[] = [];
  const identity: FieldSet = { values: new Map(), error: null };
  const modules: FieldSet[] = [];
  let root: string | null = null;
  let rootClosed = false;
  let modulesElements = 0;
  let moduleCount = 0;
  let elements = 0;
  /** The field whose text is being gathered, and where it goes. */
  let field: string | null = null;
  let fieldSet: FieldSet | null = null;
  let fieldText = '';

  const malformed = (message: string, at: number): ProtocolError =>
    badRequest(`not well-formed XML: ${clip(message)} (line ${lineAt(text, at)})`);
  const noteError = (set: FieldSet, error: ProtocolError): void => {
    set.error ??= error;
  };

  /** Text between markup at [from, to): references checked, gathered when it is a field's. */
  const readText = (from: number, to: number): void => {
    if (from === to) return;
    const depth = roles.length;
    if (depth === 0) {
      for (let at = from; at < to; at++) {
        if (!isBlank(text.charCodeAt(at))) throw malformed(rootClosed ? 'text after the root element' : 'text before the root element', at);
      }
      return;
    }
    let amp = text.indexOf('&', from);
    while (amp !== -1 && amp < to) {
      const end = referenceEnd(text, amp, to);
      if (end === -1) throw malformed(`a bare "&" (start a reference with & and end it with ;)`, amp);
      amp = text.indexOf('&', end);
    }
    if (field !== null) {
      const segment = text.slice(from, to);
      try {
        fieldText += decodeReferences(segment, field);
      } catch (error) {
        noteError(fieldSet!, error as ProtocolError);
      }
    }
  };

  let at = 0;
  let textFrom = 0;
  while (at < length) {
    const open = text.indexOf('<', at);
    if (open === -1) break;
    readText(textFrom, open);
    const next = text.charCodeAt(open + 1);
    if (next === BANG) {
      if (text.startsWith('<!--', open)) {
        const end = text.indexOf('-->', open + 4);
        if (end === -1) throw malformed('a comment is not closed', open);
        at = end + 3;
      } else if (text.startsWith('<![CDATA[', open)) {
        if (roles.length === 0) throw malformed('CDATA outside the root element', open);
        const end = text.indexOf(']]>', open + 9);
        if (end === -1) throw malformed('a CDATA section is not closed', open);
        if (field !== null) fieldText += text.slice(open + 9, end);
        at = end + 3;
      } else {
        throw badRequest(`markup declarations (<!…>) are not accepted (line ${lineAt(text, open)})`);
      }
    } else if (next === QUESTION) {
      const end = text.indexOf('?>', open + 2);
      if (end === -1) throw malformed('a processing instruction is not closed', open);
      const nameEnd = nameEndAt(text, open + 2);
      if (nameEnd === open + 2) throw malformed('a processing instruction without a target', open);
      const target = text.slice(open + 2, nameEnd);
      if (target.toLowerCase() === 'xml' && (open !== text.search(/\S/) || root !== null)) {
        throw malformed('an XML declaration that is not at the start', open);
      }
      at = end + 2;
    } else if (next === SLASH) {
      const nameEnd = nameEndAt(text, open + 2);
      const name = text.slice(open + 2, nameEnd);
      let end = nameEnd;
      while (end < length && isBlank(text.charCodeAt(end))) end++;
      if (text.charCodeAt(end) !== GT) throw malformed(name === '' ? 'a closing tag without a name' : `the closing tag </${clip(name)}> is not closed`, open);
      const depth = roles.length;
      if (depth === 0) throw malformed(`the closing tag </${clip(name)}> has no opening tag`, open);
      if (names[depth - 1] !== name) throw malformed(`the closing tag </${clip(name)}> does not match <${clip(names[depth - 1])}>`, open);
      const role = roles.pop()!;
      names.pop();
      if (role === Role.IdentityField || role === Role.ModuleField) closeField();
      if (roles.length === 0) rootClosed = true;
      at = end + 1;
    } else {
      // A start tag: its name, its attributes (checked, not kept), `>` or `/>`.
      if (!isNameStart(next)) throw malformed(Number.isNaN(next) ? 'the document ends inside a tag' : 'a tag name must start with a letter, "_" or ":"', open);
      const nameEnd = nameEndAt(text, open + 1);
      const name = text.slice(open + 1, nameEnd);
      const end = attributesEnd(text, nameEnd, malformed);
      const selfClosing = text.charCodeAt(end - 1) === SLASH;
      if (++elements > MAX_ELEMENTS) throw badRequest(`the request has more than ${MAX_ELEMENTS} elements`);
      const local = name.slice(name.indexOf(':') + 1);
      if (RESERVED_NAMES.has(local)) throw badRequest(`the XML could not be read: the element name ${shown(local)} is reserved`);
      if (rootClosed) throw malformed(`a second root element ${shown(name)}`, open);
      const role = openElement(local, open);
      if (selfClosing) {
        if (role === Role.IdentityField || role === Role.ModuleField) closeField();
        if (roles.length === 0) rootClosed = true;
      } else {
        names.push(name);
        roles.push(role);
        if (roles.length > MAX_DEPTH) throw badRequest(`elements are nested deeper than ${MAX_DEPTH} levels (line ${lineAt(text, open)})`);
      }
      at = end + 1;
    }
    textFrom = at;
  }
  readText(textFrom, length);
  if (roles.length > 0) throw malformed(`<${clip(names[roles.length - 1])}> is not closed`, length);
  if (root === null) throw malformed('no root element', length);
  return { root, identity, modulesElements, modules };

  /** The role of an element opening in the current one; starts gathering a field's text. */
  function openElement(local: string, at: number): Role {
    const depth = roles.length;
    if (depth === 0) {
      root = local;
      return Role.Root;
    }
    const parent = roles[depth - 1];
    if (field !== null) {
      noteError(fieldSet!, badRequest(`<${field}> must hold text, not the element ${shown(local)}`));
      return Role.Ignored;
    }
    if (parent === Role.Root) {
      if (local === 'Modules') {
        return ++modulesElements === 1 ? Role.Modules : Role.OtherModules;
      }
      if (IDENTITY_ELEMENTS.includes(local)) return startField(identity, local, '');
    } else if (parent === Role.Modules || parent === Role.OtherModules) {
      if (local === 'Module') {
        if (++moduleCount > MAX_MODULES) throw badRequest(`the request lists more than ${MAX_MODULES} modules`);
        if (parent === Role.Modules) {
          modules.push({ values: new Map(), error: null });
          return Role.Module;
        }
      }
    } else if (parent === Role.Module) {
      if (MODULE_ELEMENTS.includes(local)) return startField(modules[modules.length - 1], local, `<Module> #${modules.length}: `);
    }
    void at;
    return Role.Ignored;
  }

  function startField(set: FieldSet, local: string, where: string): Role {
    const role = set === identity ? Role.IdentityField : Role.ModuleField;
    if (set.values.has(local)) {
      noteError(set, badRequest(`${where}<${local}> appears more than once`));
      return Role.Ignored;
    }
    field = local;
    fieldSet = set;
    fieldText = '';
    return role;
  }

  function closeField(): void {
    if (field === null) return; // the element was a repeated field: ignored
    fieldSet!.values.set(field, fieldText.trim());
    field = null;
    fieldSet = null;
  }
}

/** The end of the name starting at `from` (`from` itself when there is none). */
function nameEndAt(text: string, from: number): number {
  let at = from;
  while (at < text.length && isNameChar(text.charCodeAt(at))) at++;
  return at;
}

/**
 * The `>` ending a start tag whose name ends at `from`, after its attributes: each a name, `=` and
 * a quoted value without `<` and with well-formed references, each name once.
 */
function attributesEnd(text: string, from: number, malformed: (message: string, at: number) => ProtocolError): number {
  let at = from;
  let seen: Set<string> | null = null;
  for (;;) {
    const blankFrom = at;
    while (at < text.length && isBlank(text.charCodeAt(at))) at++;
    const code = text.charCodeAt(at);
    if (code === GT) return at;
    if (code === SLASH) {
      if (text.charCodeAt(at + 1) === GT) return at + 1;
      throw malformed('a "/" in a tag that is not "/>"', at);
    }
    if (Number.isNaN(code)) throw malformed('the document ends inside a tag', from);
    if (at === blankFrom || !isNameStart(code)) throw malformed('an attribute must be a name after a blank', at);
    const nameEnd = nameEndAt(text, at);
    const name = text.slice(at, nameEnd);
    seen ??= new Set();
    if (seen.has(name)) throw malformed(`the attribute ${quoteInput(name)} is repeated`, at);
    seen.add(name);
    at = nameEnd;
    while (at < text.length && isBlank(text.charCodeAt(at))) at++;
    if (text.charCodeAt(at) !== EQUALS) throw malformed(`the attribute ${quoteInput(name)} has no value`, at);
    at++;
    while (at < text.length && isBlank(text.charCodeAt(at))) at++;
    const quote = text[at];
    if (quote !== '"' && quote !== "'") throw malformed(`the value of the attribute ${quoteInput(name)} is not quoted`, at);
    const close = text.indexOf(quote, at + 1);
    if (close === -1) throw malformed(`the value of the attribute ${quoteInput(name)} is not closed`, at);
    for (let inner = at + 1; inner < close; inner++) {
      const character = text.charCodeAt(inner);
      if (character === LT) throw malformed(`the value of the attribute ${quoteInput(name)} holds "<"`, inner);
      if (character === AMP) {
        const end = referenceEnd(text, inner, close);
        if (end === -1) throw malformed(`the value of the attribute ${quoteInput(name)} holds a bare "&"`, inner);
        inner = end - 1;
      }
    }
    at = close + 1;
  }
}

/** The index after the reference starting with the `&` at `at` (`&name;`, `&#digits;`, `&#xhex;`), or -1. */
function referenceEnd(text: string, at: number, limit: number): number {
  let end = at + 1;
  if (text.charCodeAt(end) === 0x23) {
    end++;
    const hex = text.charCodeAt(end) === 0x78;
    if (hex) end++;
    const digitsFrom = end;
    for (; end < limit; end++) {
      const code = text.charCodeAt(end);
      const digit = (code >= 0x30 && code <= 0x39) || (hex && ((code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46)));
      if (!digit) break;
    }
    if (end === digitsFrom) return -1;
  } else {
    if (end >= limit || !isNameStart(text.charCodeAt(end))) return -1;
    end = Math.min(nameEndAt(text, end), limit);
  }
  return end < limit && text.charCodeAt(end) === 0x3b ? end + 1 : -1;
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

function readRequest(document: RequestDocument): UpdateCheckRequest {
  if (document.root !== 'Request') {
    throw badRequest(`the root element must be <Request>, not ${shown(document.root)}`);
  }
  const { values: fields, error } = document.identity;
  if (error !== null) throw error;
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
  if (document.modulesElements > 1) {
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
    modules: readModules(document.modules),
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
function readModules(sets: readonly FieldSet[]): RequestModule[] {
  const modules: RequestModule[] = [];
  const updateTypes = new Set<string>();
  for (const { values: fields, error } of sets) {
    if (error !== null) throw error;
    const where = `<Module> #${modules.length + 1}: `;
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
