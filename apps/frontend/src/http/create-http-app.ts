import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@ucupdates/config';
import { type Metrics, PinoNestLogger, type RequestContext, requestIdOf, runInRequestContext } from '@ucupdates/observability';
import { renderPhoneError } from '@ucupdates/protocol';
import { type FastifyError, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { isUpdateCheckPath } from '../devices/lync/phone-paths';
import { clientErrorAnswer } from './client-error';
import { refusalShape } from './refusal-shape';
import type { Logger } from 'pino';

export type ListenerName = 'internal' | 'external';

/**
 * One HTTP application of a frontend, on Fastify with the process's pino logger. Each request
 * gets an id (the load balancer's X-Request-Id or a new one) that is echoed in the answer and
 * written on every log line made while handling it; its duration is recorded in the metrics.
 */
export async function createHttpApp(
  module: DynamicModule,
  listener: ListenerName,
  config: Config,
  logger: Logger,
  metrics: Metrics,
): Promise<NestFastifyApplication> {
  const listenerLogger = logger.child({ listener });
  const adapter = new FastifyAdapter({
    loggerInstance: listenerLogger,
    // One line per request, written in onResponse below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    genReqId: requestIdOf,
    trustProxy: config.UCU_TRUSTED_PROXIES,
    // Paths match case-insensitively, as IIS did (phone-protocol.md); parameters keep their case.
    routerOptions: { caseSensitive: false },
    // Keep-alive connections from the load balancer outlive the default 72 s of HAProxy's pool.
    keepAliveTimeout: 75_000,
    return503OnClosing: true,
    // What Node's HTTP parser refuses (a body cut short, a malformed head) is answered in the
    // endpoint's own shape, as every other refusal, not in Fastify's JSON (client-error.ts).
    clientErrorHandler: (error, socket) => {
      const answer = clientErrorAnswer(error, socket, listener);
      listenerLogger.debug({ err: error }, 'client error');
      if (answer !== null) socket.write(answer);
      socket.destroy(error);
    },
    // A URL that does not decode (`%c0%ae`) names no route: for phones no file either (404 in
    // XML, as any other path that names no file); for the admin API a 400 in its JSON shape.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const shape = refusalShape(request.url, listener);
      if (shape === 'ddi') {
        void reply.status(404).send({ errorCode: 'NotFound', message: 'no such resource' });
      } else if (shape === 'phone') {
        void reply.status(404).header('Content-Type', 'text/xml; charset=utf-8').send(renderPhoneError('NotFound', 'no such file'));
      } else {
        void reply.status(400).send({ error: { code: 'BadRequest', message: error.message, details: null } });
      }
    },
  });
  // Nest's Logger is process-wide (the last app's logger wins), so it gets the process's logger;
  // the listener is on Fastify's request lines.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger: new PinoNestLogger(logger) });
  const fastify = app.getHttpAdapter().getInstance();
  /** Each request's context, for the hooks that run outside it (onSend). */
  const contexts = new WeakMap<FastifyRequest, RequestContext>();

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  // After the body is read, so the context reaches guards, interceptors and the handler, until
  // the answer is closed. Update checks, the hot path, go without: their log lines are written
  // through request.log, which carries the id, so they need no AsyncLocalStorage, and between two
  // requests that take one the storage is off (runInRequestContext; docs/performance.md).
  fastify.addHook('preHandler', (request, reply, done) => {
    if (isUpdateCheckPath(request.url)) {
      done();
      return;
    }
    const context: RequestContext = { requestId: request.id };
    contexts.set(request, context);
    runInRequestContext(context, reply.raw, done);
  });
  // An admin change that some active nodes had not confirmed serving in time names them (architecture.md §3).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const unconfirmed = contexts.get(request)?.unconfirmedNodes;
    if (unconfirmed && unconfirmed.length > 0) void reply.header('X-UCU-Unconfirmed-Nodes', unconfirmed.join(','));
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc({ listener, method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ listener, method: request.method, route }, seconds);
    if (isUpdateCheckPath(request.url)) metrics.activity.check(reply.elapsedTime);
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request answered',
    );
    done();
  });
  return app;
}
