import type { Logger } from 'pino';

/**
 * On the first SIGTERM or SIGINT, runs `stop` and exits 0; exits 1 if that takes longer than
 * `deadlineMs` (a hang must not keep a node half alive). Both apps stop this way.
 */
export function exitOnSignal(logger: Logger, deadlineMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info(`${signal}: stopping`);
    const deadline = setTimeout(() => {
      logger.error(`did not stop within ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    await stop();
    logger.info('stopped');
    // The logger writes in batches (createLogger): the last one is out before the process ends
    // (an exit while its write is under way could lose it); the deadline still holds.
    logger.flush(() => process.exit(0));
  };
  process.once('SIGTERM', (signal) => void onSignal(signal));
  process.once('SIGINT', (signal) => void onSignal(signal));
}
