import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's body is taken raw, whatever its type (see RawBodyRoutes). */
    ucupdatesRawBody?: boolean;
  }
}

/**
 * A media type no client sends: what a raw-body route's requests are parsed as, so the parser
 * registered for it (the request stream itself) is used whatever the phone said.
 */
const RAW_BODY_TYPE = 'application/x-ucupdates-raw-body';

/** Marks a route whose body reaches the handler as the request stream, whatever its Content-Type. */
export const RawBody = () => RouteConfig({ ucupdatesRawBody: true });

/**
 * Phones may upload a log with any Content-Type or none (text/plain for a .txt, text/xml for an
 * .xml, nothing at all), and the body is never interpreted. Fastify picks a body parser by media
 * type for the whole instance, so instead of registering a catch-all parser (which would change
 * what every other route answers to an unexpected type), routes marked `@RawBody()` get their
 * media type replaced, before parsing, by one only this parser takes. Every other route — the
 * admin API's JSON, the update check's XML — is parsed exactly as before.
 *
 * A provider of DevicesCoreModule, once on each listener whatever device protocols it serves: it
 * registers the hook and the parser on that listener's Fastify instance while Nest initialises the
 * application, before Fastify starts (hooks are bound to routes when it does).
 */
@Injectable()
export class RawBodyRoutes implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(RAW_BODY_TYPE, (_request, payload, done) => done(null, payload));
    fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      if (request.routeOptions.config?.ucupdatesRawBody === true) {
        // Merged over the raw headers by Fastify's `request.headers`; the raw request keeps the original.
        request.headers = { 'content-type': RAW_BODY_TYPE };
      }
      done();
    });
  }
}
