import type { PhoneIdentity } from './identities';

/**
 * The phone's side of the phone protocol (docs/phones.md, docs/simulator.md), as plain functions: the update check it
 * sends and the reading of the answer. A small reader of the answer's fixed shape rather than a
 * general XML parser: the simulator has to be cheap enough to make thousands of checks a second
 * on one core, and a phone's firmware reads only these elements too. Anything that is not such
 * an answer is a protocol error, reported as such.
 */

export interface OfferedFile {
  name: string;
  url: string;
  size: number;
  sha256: string;
}

export interface OfferedModule {
  updateType: string;
  action: 'Install' | 'RestoreBackup';
  version: string | null;
  files: OfferedFile[];
  /**
   * The version's folder on the internal and the external store: a real phone downloads each file
   * from `<BaseURL>/<Name>` inside and `<ExternalBaseURL>/<Name>` outside. '' when the answer has
   * it empty (not configured on the pool).
   */
  baseUrl: string;
  externalBaseUrl: string;
  /** The image and its security catalog, as named by the answer (either may be absent). */
  filename: string | null;
  signatureFilename: string | null;
}

export interface CheckAnswer {
  numOfFiles: number;
  modules: OfferedModule[];
}

export class ProtocolError extends Error {}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]);
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, decimal?: string, hex?: string) => {
    if (decimal) return String.fromCodePoint(Number(decimal));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name as 'amp']!;
  });
}

/** The update check a phone sends: its identity and every module it runs, with the installed version. */
export function updateCheckBody(phone: PhoneIdentity, installed: Readonly<Record<string, string>>, timestamp: string): string {
  let modules = '';
  for (const updateType of Object.keys(installed)) {
    modules +=
      `    <Module>\n      <UpdateType>${escapeXml(updateType)}</UpdateType>\n` +
      `      <Filename>${escapeXml(updateType)}.nbt</Filename>\n      <Version>${escapeXml(installed[updateType])}</Version>\n` +
      `      <Timestamp>${timestamp}</Timestamp>\n    </Module>\n`;
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<Request>\n  <DeviceType>${escapeXml(phone.deviceType)}</DeviceType>\n` +
    `  <MacAddress>${phone.mac ?? ''}</MacAddress>\n  <SerialNumber>${escapeXml(phone.serial)}</SerialNumber>\n` +
    `  <Vendor>${escapeXml(phone.brand)}</Vendor>\n  <Model>${escapeXml(phone.model)}</Model>\n` +
    `  <Revision>${escapeXml(phone.revision)}</Revision>\n  <Locale>${escapeXml(phone.locale)}</Locale>\n` +
    (phone.userId ? `  <UserId>${escapeXml(phone.userId)}</UserId>\n` : '') +
    `  <Modules>\n${modules}  </Modules>\n</Request>\n`
  );
}

/** The text of the first `<name>` element in `xml`, unescaped; null when there is none. */
function element(xml: string, name: string): string | null {
  const open = xml.indexOf(`<${name}>`);
  if (open === -1) return null;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  if (end === -1) throw new ProtocolError(`<${name}> is not closed`);
  return unescapeXml(xml.slice(start, end).trim());
}

/** Every `<name>…</name>` block's inner text. */
function blocks(xml: string, name: string): string[] {
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const open = xml.indexOf(`<${name}>`, from);
    if (open === -1) return found;
    const start = open + name.length + 2;
    const end = xml.indexOf(`</${name}>`, start);
    if (end === -1) throw new ProtocolError(`<${name}> is not closed`);
    found.push(xml.slice(start, end));
    from = end + name.length + 3;
  }
}

/**
 * Reads a 200 answer to an update check (version 2). Throws ProtocolError unless it is a
 * `<Response>` whose NumOfFiles counts its files, whose modules each say Install (with a version
 * and files that have a name, an absolute URL, a size and a SHA-256) or RestoreBackup, and carry
 * `<BaseURL>` and `<ExternalBaseURL>` (each empty or absolute).
 */
export function parseCheckAnswer(xml: string): CheckAnswer {
  if (!xml.includes('<Response>') || !xml.includes('</Response>')) throw new ProtocolError('the answer is not a <Response>');
  const countText = element(xml, 'NumOfFiles');
  if (countText === null || !/^\d+$/.test(countText)) throw new ProtocolError('the answer has no NumOfFiles');
  const modules = blocks(xml, 'Module').map((module): OfferedModule => {
    const updateType = element(module, 'UpdateType');
    const action = element(module, 'Action');
    if (!updateType) throw new ProtocolError('a module has no UpdateType');
    if (action !== 'Install' && action !== 'RestoreBackup') throw new ProtocolError(`module ${updateType}: unknown Action "${action}"`);
    const files = blocks(module, 'File').map((file): OfferedFile => {
      const offered = {
        name: element(file, 'Name') ?? '',
        url: element(file, 'Url') ?? '',
        size: Number(element(file, 'Size')),
        sha256: element(file, 'Sha256') ?? '',
      };
      if (!offered.name || !/^https?:\/\//.test(offered.url) || !Number.isSafeInteger(offered.size) || offered.size < 0 || !/^[0-9a-f]{64}$/.test(offered.sha256)) {
        throw new ProtocolError(`module ${updateType}: a file lacks a name, an absolute URL, a size or a SHA-256`);
      }
      return offered;
    });
    const version = element(module, 'Version');
    if (action === 'Install' && (!version || files.length === 0)) throw new ProtocolError(`module ${updateType}: Install without a version or files`);
    const baseUrl = element(module, 'BaseURL') ?? (module.includes('<BaseURL/>') ? '' : null);
    const externalBaseUrl = element(module, 'ExternalBaseURL') ?? (module.includes('<ExternalBaseURL/>') ? '' : null);
    for (const [name, value] of [['BaseURL', baseUrl], ['ExternalBaseURL', externalBaseUrl]] as const) {
      if (value === null) throw new ProtocolError(`module ${updateType}: no <${name}>`);
      if (value !== '' && !/^https?:\/\//.test(value)) throw new ProtocolError(`module ${updateType}: <${name}> is not an absolute URL`);
    }
    return {
      updateType,
      action,
      version,
      files,
      baseUrl: baseUrl!,
      externalBaseUrl: externalBaseUrl!,
      filename: element(module, 'Filename'),
      signatureFilename: element(module, 'SignatureFilename'),
    };
  });
  const numOfFiles = Number(countText);
  const files = modules.reduce((sum, module) => sum + module.files.length, 0);
  if (numOfFiles !== files) throw new ProtocolError(`NumOfFiles says ${numOfFiles} but the answer names ${files} files`);
  return { numOfFiles, modules };
}

/**
 * Where a real phone fetches one file of a module: the folder the answer gives for its side
 * (BaseURL inside, ExternalBaseURL outside) and `/<Name>`. Null when the answer left that folder
 * empty: a phone then has nowhere to download from.
 */
export function downloadUrlOf(module: OfferedModule, file: OfferedFile, external: boolean): string | null {
  const base = external ? module.externalBaseUrl : module.baseUrl;
  return base === '' ? null : `${base}/${encodeURIComponent(file.name)}`;
}

/** The error code of a refusal (`<Response><Error>Code</Error>…`), or null. */
export function errorCodeOf(xml: string): string | null {
  try {
    return element(xml, 'Error');
  } catch {
    return null;
  }
}

/** The headers of a device log upload, naming the phone (phone-protocol.md, "Device log upload"). */
export function logUploadHeaders(phone: PhoneIdentity): Record<string, string> {
  return {
    'Content-Type': 'application/octet-stream',
    'X-UC-DeviceType': phone.deviceType,
    'X-UC-MacAddress': phone.mac ?? '',
    'X-UC-SerialNumber': phone.serial,
  };
}

/** `Basic` credentials of a Lync user id: `sip:alice@contoso.com:password`, base64. */
export function basicCredentials(userId: string, password: string): string {
  return `Basic ${Buffer.from(`${userId}:${password}`, 'utf8').toString('base64')}`;
}

interface KnownAnswer {
  bytes: Buffer;
  answer: CheckAnswer;
  /** Start and end of each `<Timestamp>` value in `bytes`, in pairs: what another answer may differ in. */
  stamps: number[];
}

const TIMESTAMP_OPEN = Buffer.from('<Timestamp>');
const TIMESTAMP_CLOSE = Buffer.from('</Timestamp>');

/** The bytes a `<Timestamp>` value is made of (ISO 8601: digits, `-`, `:`, `.`, `T`, `Z`): no markup. */
function isStampByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x3a) || byte === 0x2d || byte === 0x2e || byte === 0x54 || byte === 0x5a;
}

/**
 * Reads 200 answers to update checks as parseCheckAnswer does, without reading the same answer
 * twice: a storm's answers are a handful of documents (one per kind of phone and what it is
 * offered) that differ from one check to the next only in each module's `<Timestamp>` (the time
 * of the answer). An answer whose bytes equal a known one's, except inside `<Timestamp>` values of
 * the same length made of timestamp characters only (no `<`, no `&`: no markup can start or end
 * there), reads the same — the reader ignores `<Timestamp>`, and every element it looks for begins
 * with `<` — so the known reading is returned (frozen: shared between phones). Anything else is
 * read in full and remembered (the last `capacity` distinct answers).
 */
export class CheckAnswerReader {
  private readonly known: KnownAnswer[] = [];

  constructor(private readonly capacity = 64) {}

  /** Reads `bytes[start, end)`; throws ProtocolError as parseCheckAnswer does. */
  read(bytes: Buffer, start: number, end: number): CheckAnswer {
    const known = this.known;
    for (let i = 0; i < known.length; i++) {
      const entry = known[i];
      if (matches(entry, bytes, start, end)) {
        if (i > 0) {
          // The common answers move to the front.
          known[i] = known[i - 1];
          known[i - 1] = entry;
        }
        return entry.answer;
      }
    }
    const answer = deepFreeze(parseCheckAnswer(bytes.toString('utf8', start, end)));
    const copy = Buffer.from(bytes.subarray(start, end));
    if (known.length >= this.capacity) known.pop();
    known.push({ bytes: copy, answer, stamps: stampsOf(copy) });
    return answer;
  }
}

function matches(entry: KnownAnswer, bytes: Buffer, start: number, end: number): boolean {
  const known = entry.bytes;
  if (end - start !== known.length) return false;
  const { stamps } = entry;
  let from = 0;
  for (let i = 0; i < stamps.length; i += 2) {
    if (bytes.compare(known, from, stamps[i], start + from, start + stamps[i]) !== 0) return false;
    for (let at = start + stamps[i], stop = start + stamps[i + 1]; at < stop; at++) if (!isStampByte(bytes[at])) return false;
    from = stamps[i + 1];
  }
  return bytes.compare(known, from, known.length, start + from, end) === 0;
}

/** Where each `<Timestamp>` value lies, when made of timestamp characters only (else it must match exactly). */
function stampsOf(bytes: Buffer): number[] {
  const stamps: number[] = [];
  for (let open = bytes.indexOf(TIMESTAMP_OPEN); open !== -1; open = bytes.indexOf(TIMESTAMP_OPEN, open + 1)) {
    const start = open + TIMESTAMP_OPEN.length;
    const end = bytes.indexOf(TIMESTAMP_CLOSE, start);
    if (end === -1) break;
    let plain = true;
    for (let at = start; at < end && plain; at++) plain = isStampByte(bytes[at]);
    if (plain) stamps.push(start, end);
  }
  return stamps;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const each of Object.values(value)) deepFreeze(each);
  }
  return value;
}
