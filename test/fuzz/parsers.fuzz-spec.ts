import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CabError, CabReader, bufferSource } from '@ucupdates/cab';
import { parseUpdateCheckRequest, ProtocolError } from '@ucupdates/protocol';
import { digest, fuzz, type FuzzReport, type FuzzTarget } from '../support/coverage-fuzzer';
import { updateXml, writeCab } from '../support/cab-writer';
import { VALID_CHECK } from '../support/hostile-corpus';
import { ROOT } from '../support/test-environment';

/**
 * Coverage-guided fuzzing of the two parsers that read what strangers send: the cabinet reader
 * (libs/cab) and the update-check parser (libs/protocol). UCU_FUZZ_SECONDS per target (20 in
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
    ],
    coverageOf: ['/libs/protocol/src/', '/fast-xml-parser/'],
    dictionary: ['<', '>', '</', '/>', '&', ';', '&#x', '&#', '<![CDATA[', ']]>', '<!--', '-->', '<?', '?>', '<!DOCTYPE', '<!ENTITY', '"', "'", '=', ':', 'xmlns:', '<Module>', '</Module>', '<Modules>', '<Request>', '</Request>', '\uFEFF', '__proto__', 'constructor', '\u0000', '\u00e9', '\ud83d\ude00'].map((token) => Buffer.from(token, 'utf8')),
    run: (input) => void parseUpdateCheckRequest(input),
    expected: (error) => error instanceof ProtocolError && (error.status === 400 || error.status === 413),
    maxLength: 70 * 1024,
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
