import pino, { type Logger } from 'pino';
import { requestContext } from './request-context';

export interface LoggerSettings {
  app: 'frontend' | 'worker' | 'migrate';
  nodeId: string;
  level: string;
  /** Where the lines go; stdout when absent (tests capture them to prove what is never logged). */
  destination?: pino.DestinationStream;
}

/**
 * Lines are gathered up to this many bytes before one write to stdout (about a dozen request
 * lines)…
 */
export const LOG_BATCH_BYTES = 4096;
/** …or for at most this long (a quiet node's lines are out within a tenth of a second). */
export const LOG_FLUSH_MS = 100;

/**
 * JSON lines on stdout, each with the node id and app, and the request id while a request is
 * being handled. Authorization headers never reach a log line. Written asynchronously and in
 * batches (LOG_BATCH_BYTES or LOG_FLUSH_MS, whichever comes first): a request does not wait for
 * its log line's write (bench:check measured the synchronous write at ~7 % of an update check's
 * CPU), and one write per batch instead of one per line or two cost the main thread 4.0 µs a
 * line instead of 10.3 µs (docs/performance.md). Pino writes what is buffered synchronously when
 * the process exits (process.exit, an uncaught exception), and exitOnSignal waits for the last
 * batch; a SIGKILLed process loses at most the last LOG_FLUSH_MS of lines (README, UCU_LOG_LEVEL).
 */
export function createLogger(settings: LoggerSettings): Logger {
  return pino({
    level: settings.level,
    base: { nodeId: settings.nodeId, app: settings.app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const context = requestContext.getStore();
      return context ? { reqId: context.requestId } : {};
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  }, settings.destination ??
    pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS }));
}
