import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * `contract-drift.type-test.ts` compiles only while what the frontend serves is the admin API's
 * contract (libs/admin-api) both ways; this runs the compiler on it, so drift fails `npm test`.
 */
describe('the admin API contract', () => {
  it('is what the frontend serves (type-level, tsc --noEmit)', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const project = join(__dirname, 'tsconfig.json');
    const result = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', project], { maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? String(error) }),
    );
    expect(result).toEqual({ code: 0, output: '' });
  }, 300_000);
});
