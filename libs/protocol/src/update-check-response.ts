import { escapeXml } from './xml-text';

/** One file of an offered update, as the phone downloads it. */
export interface ResponseFile {
  name: string;
  /** Absolute, from the request's own scheme and host (with `/~<token>` on the external listener). */
  url: string;
  size: number;
  sha256: string;
}

/** What the device is told to do for one UpdateType. */
export interface ResponseModule {
  updateType: string;
  action: 'Install' | 'RestoreBackup';
  version: string;
  /** Empty for RestoreBackup. */
  files: ResponseFile[];
  /** The version's folder on the internal store (a phone appends `/<FileName>`); '' when not known. */
  baseUrl: string;
  /** The same folder on the external store, its token included; '' when not known. */
  externalBaseUrl: string;
  /** The image file name (Lync audit's "response module"). */
  filename: string | null;
  /** The image's security catalog. */
  signatureFilename: string | null;
  /** ISO 8601 UTC. */
  timestamp: string;
}

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * The whole 200 answer to an update check, laid out as phone-protocol.md shows it. `NumOfFiles`
 * counts the `<File>` elements of the whole answer; `<Modules>` appears only when there is a module.
 *
 * A module without files (RestoreBackup) has no `<Files>` element at all, and a null Filename or
 * SignatureFilename is left out: the spec's example answer leaves out `<Modules>` when there is
 * nothing in it and says RestoreBackup comes "with no files", so an empty container is omitted,
 * never rendered as `<Files/>`. `<BaseURL>` and `<ExternalBaseURL>` are in every module, empty
 * when not known, as a real Lync pool answers them. The order of a module's elements is the spec's.
 */
export function renderUpdateCheckResponse(modules: readonly ResponseModule[]): string {
  let numOfFiles = 0;
  for (const module of modules) numOfFiles += module.files.length;
  // One string built as it goes: no array of lines, no per-element objects.
  let xml = `${DECLARATION}\n<Response>\n  <NumOfFiles>${numOfFiles}</NumOfFiles>\n`;
  if (modules.length > 0) {
    xml += '  <Modules>\n';
    for (const module of modules) {
      xml += `    <Module>\n${element(6, 'UpdateType', module.updateType)}${element(6, 'Action', module.action)}${element(6, 'Version', module.version)}`;
      if (module.files.length > 0) {
        xml += '      <Files>\n';
        for (const file of module.files) {
          xml +=
            `        <File>\n${element(10, 'Name', file.name)}${element(10, 'Url', file.url)}` +
            `${element(10, 'Size', String(file.size))}${element(10, 'Sha256', file.sha256)}        </File>\n`;
        }
        xml += '      </Files>\n';
      }
      xml += element(6, 'BaseURL', module.baseUrl) + element(6, 'ExternalBaseURL', module.externalBaseUrl);
      if (module.filename !== null) xml += element(6, 'Filename', module.filename);
      if (module.signatureFilename !== null) xml += element(6, 'SignatureFilename', module.signatureFilename);
      xml += `${element(6, 'Timestamp', module.timestamp)}    </Module>\n`;
    }
    xml += '  </Modules>\n';
  }
  return `${xml}</Response>\n`;
}

/**
 * A refusal for a phone, on one line as phone-protocol.md shows it:
 * `<Response><Error>code</Error><Message>message</Message></Response>` after the XML declaration;
 * `<Message>` is left out when there is no message.
 */
export function renderPhoneError(code: string, message?: string): string {
  const messageElement = message === undefined ? '' : `<Message>${escapeXml(message)}</Message>`;
  return `${DECLARATION}\n<Response><Error>${escapeXml(code)}</Error>${messageElement}</Response>\n`;
}

const INDENTS: Readonly<Record<number, string>> = { 6: ' '.repeat(6), 10: ' '.repeat(10) };

/** One element on its own line, its line break included. */
function element(indent: 6 | 10, name: string, value: string): string {
  return `${INDENTS[indent]}<${name}>${escapeXml(value)}</${name}>\n`;
}
