import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findClashes, RUNNER, resourcesOf, SUITES } from './test-resources';

const ROOT = resolve(__dirname, '..', '..');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => pattern.test(name))
    .map((name) => `${dir}/${name.replace(/\\/g, '/')}`);
}

describe('the table of test resources (test/support/test-resources.js)', () => {
  it('gives no database, Redis database or port to two users', () => {
    expect(findClashes()).toEqual([]);
  });

  it('finds a clash of each kind', () => {
    const clashes = findClashes({
      runner: { 'npm test': RUNNER },
      suites: {
        'test/integration/a.int-spec.ts': { database: 'ucupdates_test_x', redisDb: 8, ports: [21000, 21199] },
        'test/integration/b.int-spec.ts': { database: 'ucupdates_test_x', redisDb: 8, ports: [21150, 21160] },
        'test/integration/c.int-spec.ts': { redisDb: 64, ports: [19010, 19010] },
      },
      // The same Redis db number on the machine's Redis is no clash with the runner's.
      outside: { 'npm run bench:check': { redisDb: 8 } },
    });
    expect(clashes).toEqual([
      'database ucupdates_test_x: test/integration/a.int-spec.ts and test/integration/b.int-spec.ts',
      "Redis db 8 (runner's Redis): test/integration/a.int-spec.ts and test/integration/b.int-spec.ts",
      'ports 21150-21160: test/integration/a.int-spec.ts and test/integration/b.int-spec.ts',
      'Redis db 64 of test/integration/c.int-spec.ts is outside 1..63',
      'ports 19010-19010: npm test and test/integration/c.int-spec.ts',
    ]);
  });

  it('has a line for every integration and end-to-end suite, and none for a suite that is gone', () => {
    const suites = [...filesUnder('test/integration', /\.int-spec\.ts$/), ...filesUnder('test/e2e', /\.e2e-spec\.ts$/)].sort();
    expect(Object.keys(SUITES).sort()).toEqual(suites);
    expect(resourcesOf(join(ROOT, 'test/e2e/pool.e2e-spec.ts'))).toBe(SUITES['test/e2e/pool.e2e-spec.ts']);
    expect(() => resourcesOf('test/e2e/unknown.e2e-spec.ts')).toThrow(/has no line in test\/support\/test-resources\.js/);
  });

  it('is where suites and benchmarks take their databases, Redis databases and ports from', () => {
    const sources = [...filesUnder('test', /\.ts$/), ...filesUnder('bench', /\.ts$/)].filter((file) => !file.endsWith('test-resources.spec.ts'));
    const byHand = [
      /recreateDatabase\(\s*['"`]/, // a database named in the suite
      /redisUrl\(\s*\d/, // a Redis database picked by number
      /\b(?:internal|external|stats|nodeBase)Port:\s*\d/, // a pool's ports
      /\b(?:PORTS?|REDIS_PORT)\s*=\s*[{\d]/, // a server's port
      /redis:\/\/[^'"`\s]*\/\d/, // a Redis URL with its database
    ];
    const found = sources.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (byHand.some((pattern) => pattern.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
