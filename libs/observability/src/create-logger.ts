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
 * JSON lines on stdout, each with the node id and app, and the request id while a request is
 * being handled. Authorization headers never reach a log line. Written asynchronously: a request
 * does not wait for its log line's write (bench:check measured the synchronous write at ~7 % of an
 * update check's CPU); pino flushes what is buffered when the process exits.
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
  }, settings.destination ?? pino.destination({ dest: 1, sync: false }));
}
