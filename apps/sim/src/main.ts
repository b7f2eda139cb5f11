#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { controllerIdOf } from './ddi-protocol';
import { DdiSimulation } from './ddi-simulation';
import { generateIdentities } from './identities';
import { parseOptions, USAGE, UsageError } from './options';
import { Simulation } from './simulation';
import { progressLine, renderReport } from './sim-report';

/**
 * `ucupdates-sim`: N simulated Lync Phone Edition phones against a pool (docs/simulator.md).
 * Self-contained like the `ucupdates` CLI (Node's built-ins only): it must stay cheap enough to
 * make thousands of update checks a second on one core.
 *
 * Exit code: 0 when the mode's end was reached (storm: every phone booted; rollout: every phone
 * current; steady: the duration ran out), 1 when it was not (the time limit came first), 2 for
 * a usage error, 130 when interrupted (the report of what ran is printed all the same).
 */
async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  const identities = generateIdentities({
    count: options.phones,
    seed: options.seed,
    mix: options.mix,
    installed: options.installed,
    signedInShare: options.signedInShare,
    externalShare: options.externalShare,
    testDeviceShare: options.testDeviceShare,
    serialOnlyShare: options.serialOnlyShare,
    sipDomain: options.sipDomain,
    deviceType: options.ddi.enabled ? 'DDI' : 'UCPhone',
  });
  if (options.identitiesFile) {
    // DDI devices with their controller id (a test device's identifier, identifier type ControllerId).
    const lines = identities.map((identity) => JSON.stringify(options.ddi.enabled ? { ...identity, controllerId: controllerIdOf(options.seed, identity.index) } : identity));
    writeFileSync(options.identitiesFile, lines.join('\n') + '\n');
  }

  const simulation = options.ddi.enabled ? new DdiSimulation(options, identities) : new Simulation(options, identities);
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    simulation.stop();
  });
  const tty = Boolean(process.stderr.isTTY);
  let lastLine = 0;
  const report = await simulation.run((progress) => {
    if (options.quiet) return;
    if (tty) {
      process.stderr.write(`\r\x1b[K${progressLine(progress, options.ddi.enabled)}`);
    } else if (progress.elapsedSeconds - lastLine >= 5) {
      // Not a terminal (a log, a pipe): a line every 5 s.
      lastLine = progress.elapsedSeconds;
      process.stderr.write(`${progressLine(progress, options.ddi.enabled)}\n`);
    }
  });
  if (tty && !options.quiet) process.stderr.write('\r\x1b[K');
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
  if (interrupted) return 130;
  if (options.mode === 'steady') return 0;
  return report.done === report.phones ? 0 : 1;
}

// `ucupdates-sim … | head` closes stdout early; that is the reader's choice.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ucupdates-sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
