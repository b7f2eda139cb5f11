import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { CabError, CabErrorCode } from './cab-error';
import { decodeCabName, unsafeNameReason } from './cab-names';
import { CabReader } from './cab-reader';
import { bufferSource } from './cab-source';
import { CabFileAttribute } from './cab-types';

// Real cabinets from public test suites, with what cabextract makes of them (see SOURCES.md there).
const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/cab');

interface ExpectedEntry {
  name: string;
  size: number;
  folder: number;
  attribs: number;
  name_hex?: string;
}
interface Expected {
  ok: boolean;
  files: Record<string, string>;
  entries: (ExpectedEntry | { truncated: true })[];
}

const expected: Record<string, Expected> = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.cab')).sort();

/**
 * Fixtures the reader refuses, and why. Beyond cabextract's failures this holds cabinets that
 * cabextract extracts after rewriting their names (the spec refuses unsafe names) and the one with a
 * Quantum folder (Quantum is not supported; the spec needs none, MSZIP and LZX).
 */
const REFUSED: Record<string, CabErrorCode> = {
  'bad-filename-overread-cve-2017-11423.cab': CabErrorCode.BadHeader,
  'bad-folder-index.cab': CabErrorCode.BadFolderIndex,
  'bad-folders-segfault-cve-2014-9732.cab': CabErrorCode.UnsupportedCompression,
  'bad-lzx-invalid-history.cab': CabErrorCode.CorruptData,
  'bad-lzx-main-tree-no-lengths.cab': CabErrorCode.CorruptData,
  'bad-lzx-under-read-cve-2015-4471.cab': CabErrorCode.Truncated,
  'bad-mszip-infinite-loop-cve-2010-2800.cab': CabErrorCode.CorruptData,
  'bad-not-mscf-signature.cab': CabErrorCode.NotACabinet,
  'bad-path-traversal-names.cab': CabErrorCode.UnsafeName,
  'bad-truncated-header-35b.cab': CabErrorCode.Truncated,
  'bad-truncated-no-data.cab': CabErrorCode.Truncated,
  'derived-bad-checksum.cab': CabErrorCode.BadChecksum,
  'derived-bad-file-size-exceeds-folder.cab': CabErrorCode.SizeMismatch,
  'derived-bad-name-drive-letter.cab': CabErrorCode.UnsafeName,
  'multipart-set-part1.cab': CabErrorCode.MultiCabinet,
  'multipart-set-part2.cab': CabErrorCode.MultiCabinet,
  'mszip-lzx18-quantum-three-folders.cab': CabErrorCode.UnsupportedCompression,
};

/** The entry each refusal should name, where the problem is about one file. */
const REFUSED_ENTRY: Record<string, string> = {
  'bad-folder-index.cab': 'welcome.c',
  'bad-folders-segfault-cve-2014-9732.cab': '2',
  'bad-lzx-invalid-history.cab': 'x',
  'bad-lzx-main-tree-no-lengths.cab': 'file.txt',
  'bad-mszip-infinite-loop-cve-2010-2800.cab': 'file.txt',
  'bad-path-traversal-names.cab': '/absolute/path',
  'derived-bad-checksum.cab': 'hello.c',
  'derived-bad-file-size-exceeds-folder.cab': 'welcome.c',
  'derived-bad-name-drive-letter.cab': 'C:\\hi.c',
  'mszip-lzx18-quantum-three-folders.cab': 'qtm.txt',
};

const readable = fixtureNames.filter((name) => !(name in REFUSED));

function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

/** Opens and extracts everything, returning each file's SHA-256 under the name cabextract writes. */
async function extractHashes(bytes: Uint8Array): Promise<Record<string, string>> {
  const cab = await CabReader.open(bufferSource(bytes));
  const hashes: Record<string, string> = {};
  for await (const entry of cab.entries()) {
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of entry.data) {
      hash.update(chunk);
      length += chunk.length;
    }
    expect(length).toBe(entry.file.size);
    // cabextract turns `\` into `/` when a cabinet uses only `\`, which holds for every readable fixture.
    hashes[entry.file.name.replace(/\\/g, '/')] = hash.digest('hex');
  }
  return hashes;
}

async function refusal(bytes: Uint8Array): Promise<CabError> {
  try {
    await extractHashes(bytes);
  } catch (error) {
    if (error instanceof CabError) return error;
    throw error;
  }
  throw new Error('the cabinet was not refused');
}

describe('CabReader on the fixture cabinets', () => {
  it('has an expectation for every fixture', () => {
    for (const name of fixtureNames) {
      expect(expected[name]).toBeDefined();
      // Everything cabextract fails is refused here too; derived-signed-tampered is the signature checker's to refuse.
      if (!expected[name].ok || (name.startsWith('derived-') && name !== 'derived-signed-tampered.cab')) {
        expect(REFUSED[name]).toBeDefined();
      }
    }
  });

  it.each(readable)('%s lists its entries as stored', async (name) => {
    const cab = await CabReader.open(bufferSource(fixture(name)));
    const listing = cab.files.map((file) => ({
      name: file.name,
      size: file.size,
      folder: file.folderIndex,
      attribs: file.attributes,
    }));
    const entries = expected[name].entries as ExpectedEntry[];
    expect(listing).toEqual(entries.map(({ name, size, folder, attribs }) => ({ name, size, folder, attribs })));
  });

  it.each(readable)('%s extracts to the bytes cabextract writes', async (name) => {
    expect(await extractHashes(fixture(name))).toEqual(expected[name].files);
  });

  it.each(Object.entries(REFUSED))('%s is refused with %s', async (name, code) => {
    const error = await refusal(fixture(name));
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    if (REFUSED_ENTRY[name] !== undefined) {
      expect(error.entry).toBe(REFUSED_ENTRY[name]);
      expect(error.message).toContain(JSON.stringify(REFUSED_ENTRY[name]));
    }
  });

  it('exposes the Authenticode signature area of signed cabinets', async () => {
    const areas: Record<string, { offset: number; length: number }> = {
      'signed-lzx15-firegiant-digicert.cab': { offset: 139, length: 7888 },
      'signed-lzx18-wix-testcert.cab': { offset: 161, length: 1424 },
      'signed-stored-gcab-rsa-invalid.cab': { offset: 139, length: 2040 },
      // Tampered with inside the signed range only: the reader reads it; the signature check refuses it.
      'derived-signed-tampered.cab': { offset: 139, length: 7888 },
    };
    for (const [name, area] of Object.entries(areas)) {
      const bytes = fixture(name);
      const cab = await CabReader.open(bufferSource(bytes));
      expect(cab.header.signature).toEqual(area);
      expect(cab.header.headerReserveOffset).toBe(40);
      expect(cab.header.headerReserve).toHaveLength(20);
      expect(cab.header.cabinetSize).toBe(area.offset);
      expect(area.offset + area.length).toBe(bytes.length);
    }
    const unsigned = await CabReader.open(bufferSource(fixture('stored-two-files.cab')));
    expect(unsigned.header.signature).toBeUndefined();
    expect(unsigned.header.headerReserve).toHaveLength(0);
  });

  it('skips the header, folder and data reserve areas', async () => {
    const cab = await CabReader.open(bufferSource(fixture('stored-reserve-header-folder-data.cab')));
    expect(cab.header).toMatchObject({ headerReserveSize: 26, folderReserveSize: 26, dataReserveSize: 24 });
    expect(cab.folders[0].reserve).toHaveLength(26);
    expect(cab.header.signature).toBeUndefined();
  });

  it('describes folders', async () => {
    const cab = await CabReader.open(bufferSource(fixture('mszip-lzx18-two-folders.cab')));
    expect(cab.folders.map((folder) => [folder.compression, folder.lzxWindowBits])).toEqual([
      ['MSZIP', undefined],
      ['LZX', 18],
    ]);
  });

  it('reads file dates as cabextract lists them', async () => {
    const cab = await CabReader.open(bufferSource(fixture('stored-two-files.cab')));
    expect(cab.files.map((file) => file.modified?.toISOString())).toEqual([
      '1997-03-12T11:13:52.000Z',
      '1997-03-12T11:15:14.000Z',
    ]);
  });

  it('decodes every stored name of the path traversal cabinet as listed, and finds each unsafe', () => {
    for (const entry of expected['bad-path-traversal-names.cab'].entries as ExpectedEntry[]) {
      const isUtf8 = (entry.attribs & CabFileAttribute.NameIsUtf8) !== 0;
      const bytes = entry.name_hex ? Buffer.from(entry.name_hex, 'hex') : Buffer.from(entry.name, 'latin1');
      expect(decodeCabName(bytes, isUtf8)).toBe(entry.name);
      expect(unsafeNameReason(bytes, isUtf8, entry.name)).toBeDefined();
    }
  });
});

describe('CabReader on damaged copies of the fixtures', () => {
  /** A small deterministic generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  const small = readable.filter((name) => fixture(name).length < 10000);

  it.each(small)('%s: every truncation is refused or read, never crashes', async (name) => {
    const bytes = fixture(name);
    for (let length = 0; length < bytes.length; length++) {
      await extractHashes(bytes.subarray(0, length)).catch((error: unknown) => {
        expect(error).toBeInstanceOf(CabError);
      });
    }
  });

  it.each(small)('%s: random byte changes are refused or read, never crash or hang', async (name) => {
    const original = fixture(name);
    const next = random(original.length);
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(original);
      const changes = 1 + Math.floor(next() * 4);
      for (let i = 0; i < changes; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      await extractHashes(bytes).catch((error: unknown) => {
        expect(error).toBeInstanceOf(CabError);
      });
    }
  });
});
