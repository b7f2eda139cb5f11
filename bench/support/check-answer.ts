import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface AnsweredFile {
  name: string;
  url: string;
  size: number;
  sha256: string;
}

export interface CheckAnswer {
  numOfFiles: number;
  files: AnsweredFile[];
}

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ['Module', 'File'].includes(name) });

/**
 * Reads an update-check answer as a phone would (phone-protocol.md) and throws, saying what is
 * wrong, unless it is well-formed XML whose NumOfFiles counts its <File> elements and whose files
 * each have a name, an absolute URL, a size and a SHA-256.
 */
export function readCheckAnswer(xml: string): CheckAnswer {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) throw new Error(`the answer is not well-formed XML: ${validation.err.msg}`);
  const document = parser.parse(xml) as { Response?: { NumOfFiles?: string; Modules?: { Module?: Module[] } } };
  const response = document.Response;
  if (!response || response.NumOfFiles === undefined) throw new Error('the answer has no <Response><NumOfFiles>');
  const numOfFiles = Number(response.NumOfFiles);
  const files = (response.Modules?.Module ?? []).flatMap((module) => module.Files?.File ?? []).map((file) => {
    const answered = { name: file.Name ?? '', url: file.Url ?? '', size: Number(file.Size), sha256: file.Sha256 ?? '' };
    if (!answered.name || !/^https?:\/\//.test(answered.url) || !Number.isInteger(answered.size) || !/^[0-9a-f]{64}$/.test(answered.sha256)) {
      throw new Error(`an answered <File> lacks a name, an absolute URL, a size or a SHA-256: ${JSON.stringify(file)}`);
    }
    return answered;
  });
  if (!Number.isInteger(numOfFiles) || numOfFiles !== files.length) {
    throw new Error(`NumOfFiles says ${response.NumOfFiles} but the answer names ${files.length} files`);
  }
  return { numOfFiles, files };
}

interface Module {
  Files?: { File?: { Name?: string; Url?: string; Size?: string; Sha256?: string }[] };
}
