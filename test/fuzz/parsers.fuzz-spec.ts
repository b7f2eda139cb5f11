import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CabError, CabReader, bufferSource } from '@ucupdates/cab';
import { isDeepStrictEqual } from 'node:util';
import {
  FOLDER_LOCATION_FIELDS,
  filePath,
  parseExternalFilePath,
  parseFilePath,
  parseUpdateCheckRequest,
  ProtocolError,
  resolveModuleUpdateTypes,
  signDownloadToken,
  tokenSegment,
  verifyDownloadToken,
} from '@ucupdates/protocol';
import { digest, fuzz, type FuzzReport, type FuzzTarget } from '../support/coverage-fuzzer';
import { updateXml, writeCab } from '../support/cab-writer';
import { VALID_CHECK } from '../support/hostile-corpus';
import { ROOT } from '../support/test-environment';

/**
 * Coverage-guided fuzzing of the parsers that read what strangers send: the cabinet reader
 * (libs/cab), the update-check parser and the download paths with their tokens (libs/protocol). UCU_FUZZ_SECONDS per target (20 in
 * `npm test`, `npm run fuzz` sets 300). A finding is saved under .pool/test/fuzz-findings/ and
 * fails the run; fixed findings become cases of the parsers' own specs.
 */
const SECONDS = Number(process.env.UCU_FUZZ_SECONDS ?? 20);
const SEED = Number(process.env.UCU_FUZZ_SEED ?? Date.now() % 100_000);
const FIXTURES = resolve(ROOT, '..', 'shared', 'fixtures', 'cab');
const reports: FuzzReport[] = [];

async function extractAll(input: Buffer): Promise<void> {
  const cab = await CabReader.open(bufferSource(input), { maxUncompressedSize: 16 * 1024 * 1024, maxRatio: 1000 });
  for await (const entry of cab.entries()) {
    for await (const chunk of entry.data) void chunk;
  }
}

const cabSeeds = (): Buffer[] => {
  const fixtures = (() => {
    try {
      return readdirSync(FIXTURES).filter((name) => name.endsWith('.cab')).map((name) => readFileSync(join(FIXTURES, name))).filter((bytes) => bytes.length < 20_000);
    } catch {
      return [];
    }
  })();
  const files = [
    { name: 'u/update.xml', data: Buffer.from(updateXml()) },
    { name: 'u/CPE.nbt', data: Buffer.from('image '.repeat(200)) },
  ];
  return [...fixtures, writeCab(files), writeCab(files, { compression: 'mszip' })];
};

const TOKEN_SECRET = Buffer.from('fuzzing-secret-0123456789abcdef!');
const SEED_FOLDER = { deviceType: 'UCPhone', brand: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU', version: '4.0.7577.4372', updateType: 'CPE' };
const SEED_PATH = `${tokenSegment(signDownloadToken(TOKEN_SECRET, SEED_FOLDER, new Date('2100-01-01T00:00:00Z')))}/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt`;

/**
 * A download path as a node reads it (the raw URL after the store's prefix): whatever the bytes,
 * reading never throws, a file it names is one filePath can write again (no separator, `.`, `..`
 * or control character in any segment) and reads back the same, and a token verifies only when
 * it is the one signed for the folder it is read with.
 */
function readDownloadPath(input: Buffer): void {
  const text = input.toString('latin1');
  for (const path of [text, `/${text}`]) {
    const external = parseExternalFilePath(path);
    for (const location of [parseFilePath(path), external.location]) {
      if (location === null) continue;
      if (!isDeepStrictEqual(parseFilePath(filePath(location)), location)) throw new Error(`${JSON.stringify(location)} does not read back`);
    }
    const verified = verifyDownloadToken(TOKEN_SECRET, external.location ?? SEED_FOLDER, external.token, new Date());
    const folderOf = (location: typeof SEED_FOLDER) => JSON.stringify(FOLDER_LOCATION_FIELDS.map((field) => location[field].toLowerCase()));
    if (verified && folderOf(external.location ?? SEED_FOLDER) !== folderOf(SEED_FOLDER)) throw new Error('a token verified for another folder');
  }
}

const targets: FuzzTarget[] = [
  {
    name: 'cab-reader',
    seeds: cabSeeds(),
    coverageOf: ['/libs/cab/src/'],
    dictionary: ['MSCF', 'CK', '\u0000\u0000\u0000\u0000', '\u0003\u0001', '..', '/', '\\', 'C:'].map((token) => Buffer.from(token, 'latin1')),
    run: extractAll,
    expected: (error) => error instanceof CabError,
    maxLength: 64 * 1024,
  },
  {
    name: 'update-check-parser',
    seeds: [
      Buffer.from(VALID_CHECK),
      Buffer.from('<Request><DeviceType>a</DeviceType><SerialNumber>s</SerialNumber><Vendor>v</Vendor><Model>m</Model><Modules><Module><UpdateType>x</UpdateType></Module></Modules></Request>'),
      Buffer.from('<?xml version="1.0"?><x:Request xmlns:x="u"><![CDATA[a]]><!-- c --><?pi?>&amp;&#x41;</x:Request>'),
      Buffer.from('<Request><DeviceType>a</DeviceType><SerialNumber>s</SerialNumber><Vendor>v</Vendor><Model>m</Model><Modules><Module><Filename>CPE.nbt</Filename></Module><Module><Filename>x.bin</Filename></Module></Modules></Request>'),
    ],
    coverageOf: ['/libs/protocol/src/', '/fast-xml-parser/'],
    dictionary: ['<', '>', '</', '/>', '&', ';', '&#x', '&#', '<![CDATA[', ']]>', '<!--', '-->', '<?', '?>', '<!DOCTYPE', '<!ENTITY', '"', "'", '=', ':', 'xmlns:', '<Module>', '</Module>', '<Modules>', '<Request>', '</Request>', '\uFEFF', '__proto__', 'constructor', '\u0000', '\u00e9', '\ud83d\ude00'].map((token) => Buffer.from(token, 'utf8')),
    run: (input) => void resolveModuleUpdateTypes(parseUpdateCheckRequest(input).modules, (name) => (name === 'CPE.nbt' ? 'CPE' : undefined)),
    expected: (error) => error instanceof ProtocolError && (error.status === 400 || error.status === 413),
    maxLength: 70 * 1024,
  },
  {
    name: 'download-paths',
    seeds: [Buffer.from(SEED_PATH), Buffer.from(SEED_PATH.replace('/~', '/%7E')), Buffer.from('/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt')],
    coverageOf: ['/libs/protocol/src/file-path', '/libs/protocol/src/download-token'],
    dictionary: ['/', '~', '%7E', '%7e', '%257E', '..', '.', '%2e', '%2E', '%2f', '%2F', '%5c', '\\', '%00', '%C0%AE', '%ED%A0%80', '?', '#', '%', '.'].map((token) => Buffer.from(token, 'latin1')),
    run: readDownloadPath,
    // Reading a path refuses by answering null: anything thrown is a finding.
    expected: () => false,
    maxLength: 4 * 1024,
  },
];

describe(`coverage-guided fuzzing (${SECONDS} s per target, seed ${SEED})`, () => {
  afterAll(() => {
    const dir = resolve(ROOT, '.pool', 'test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fuzz-results.json'), `${JSON.stringify({ at: new Date().toISOString(), seed: SEED, reports }, null, 2)}\n`);
  });

  it.each(targets.map((target) => [target.name, target] as const))('%s only refuses, never crashes or hangs', async (_name, target) => {
    const report = await fuzz(target, SECONDS, SEED);
    reports.push(report);
    process.stdout.write(`${target.name}: ${report.executions} executions in ${SECONDS} s, corpus ${report.corpus}, ${report.features} coverage features, ${report.findings.length} findings\n`);
    if (report.findings.length > 0) {
      const dir = resolve(ROOT, '.pool', 'test', 'fuzz-findings');
      mkdirSync(dir, { recursive: true });
      for (const finding of report.findings) {
        const input = Buffer.from(finding.input, 'base64');
        writeFileSync(join(dir, `${target.name}-${digest(input)}.bin`), input);
      }
    }
    expect(report.findings.map((finding) => finding.error.split('\n')[0])).toEqual([]);
    expect(report.executions).toBeGreaterThan(100);
  }, (SECONDS + 60) * 1000);
});
