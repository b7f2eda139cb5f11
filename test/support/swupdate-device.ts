import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { SWU_BOARD } from './swu-builder';

/**
 * Debian's `swupdate` (2022.12) as a DDI device under test (ddi.md, "The real client in tests"):
 * the client nobody here wrote. Each instance runs in the foreground, bounded by `timeout`, with
 * its own TMPDIR (its IPC sockets live there), against the pool's load balancer. Images come from
 * test/support/swu-builder.ts.
 */

export interface SwupdateRun {
  /** `timeout`'s exit code: 124 when the time ran out (SWUpdate polls forever). */
  code: number | null;
  output: string;
}

export interface SwupdateDeviceSettings {
  controllerId: string;
  token: string;
  /** The load balancer, `http://host:port`. */
  url: string;
  /** The CA the images' signer chains to (`-k`). */
  caFile: string;
  /** Its TMPDIR. */
  workDir: string;
}

/**
 * One SWUpdate device. `run` starts `swupdate -u` and stops it when its output matches `until`
 * (or after `seconds`): `confirm` 2 (success) or 3 (failure) is `-c`, the state a restarted
 * device reports for the action it installed.
 */
export class SwupdateDevice {
  constructor(readonly settings: SwupdateDeviceSettings) {
    mkdirSync(settings.workDir, { recursive: true });
  }

  /** Runs SWUpdate until its output matches `until` or `seconds` pass. */
  async run(options: { seconds: number; until?: RegExp; confirm?: 2 | 3; extra?: string[] }): Promise<SwupdateRun> {
    return this.start(options).done;
  }

  /** Runs SWUpdate until `until` matches, `seconds` pass, or `stop()`. */
  start(options: { seconds: number; until?: RegExp; confirm?: 2 | 3; extra?: string[] }): { done: Promise<SwupdateRun>; stop: () => void } {
    const { controllerId, token, url, caFile, workDir } = this.settings;
    const suricatta = ['-t', 'DEFAULT', '-u', url, '-i', controllerId, '-k', token, ...(options.confirm ? ['-c', String(options.confirm)] : []), ...(options.extra ?? [])];
    const child = spawn('timeout', ['-s', 'TERM', String(options.seconds), 'swupdate', '-v', '-k', caFile, '-H', SWU_BOARD, '-u', suricatta.join(' ')], {
      env: { PATH: process.env.PATH, TMPDIR: workDir, HOME: workDir },
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const done = new Promise<SwupdateRun>((resolve, reject) => {
      const take = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (options.until?.test(output)) child.kill('SIGTERM');
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    return { done, stop: () => void child.kill('SIGTERM') };
  }
}
