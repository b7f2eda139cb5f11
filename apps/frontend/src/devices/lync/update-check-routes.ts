import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MAX_REQUEST_BYTES } from '@ucupdates/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ListenerName } from '../../http/create-http-app';
import { addressOf, baseUrlOf } from '../device-request';
import { DeviceSignIn } from '../sign-in/device-sign-in';
import { signedInPhoneUser } from './external-phone-auth.guard';
import { PHONE_ROUTES } from './phone-paths';
import { bodyRead, readUpdateCheckBody } from './update-check-body';
import { UpdateCheckService } from './update-check.service';

/** Media types of an update check (phone-protocol.md). */
export const UPDATE_CHECK_CONTENT_TYPES = ['text/xml', 'application/xml'];

/** Which listener a Lync module serves (LyncModule.on). */
export const LYNC_LISTENER = Symbol('LYNC_LISTENER');

const XML = 'text/xml; charset=utf-8';

/** How many update checks a listener rehearses before the node listens (UpdateCheckService.rehearse). */
const REHEARSAL_CHECKS = 3_000;

/**
 * `POST /RequestHandler/ucdevice.upx` (internal listener, anonymous) and
 * `POST /RequestHandlerExt/ucdevice.upx` (external, signed-in users only: signedInPhoneUser),
 * phone-protocol.md. Update checks are a node's hot path, so they are routes of Fastify itself
 * rather than Nest controllers: Nest's router, guards, pipes and per-route filter took a tenth of
 * a check's CPU and handled nothing a check needs (docs/performance.md). What stays the same as
 * for every other phone route: a refusal is thrown and reaches the listener's exception filter
 * (Fastify's error handler, which Nest sets to its global filter: the admin filter hands phone
 * paths to PhoneExceptionFilter on the internal listener, the external one's filter is Lync's), so
 * a phone gets the same XML refusal, including for a body Fastify refuses before the handler.
 *
 * The body is read whole (at most 64 KiB; 413 above that before reading on) and handed over as
 * bytes, parsed by the protocol's strict parser. An XML body is read by the routes' own onRequest
 * hook (readUpdateCheckBody: Fastify's body reader costs 5–6 % of a check), with the same limits
 * and refusals; anything else goes to Fastify's parsers as on every other route.
 *
 * A provider of the Lync module on each listener: it registers the parser and the route on that
 * listener's Fastify instance while Nest initialises the application (after Nest's routes and
 * error handler, before Fastify starts).
 */
@Injectable()
export class UpdateCheckRoutes implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(UpdateCheckRoutes.name);

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(LYNC_LISTENER) private readonly listener: ListenerName,
    @Inject(UpdateCheckService) private readonly checks: UpdateCheckService,
    @Inject(DeviceSignIn) private readonly signIn: DeviceSignIn,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(UPDATE_CHECK_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    if (this.listener === 'internal') {
      fastify.post(PHONE_ROUTES.internalCheck, { onRequest: readUpdateCheckBody }, (request, reply) => {
        bodyRead(request);
        return this.check(request, reply, null);
      });
    } else {
      fastify.post(PHONE_ROUTES.externalCheck, { onRequest: readUpdateCheckBody }, async (request, reply) => {
        bodyRead(request);
        return this.check(request, reply, await signedInPhoneUser(this.signIn, request));
      });
    }
  }

  /** Before the node listens: the check's code warmed, so the first phones do not wait for V8's compiler. */
  onApplicationBootstrap(): void {
    const started = performance.now();
    this.checks.rehearse(this.listener, REHEARSAL_CHECKS);
    this.logger.log(`rehearsed the ${this.listener} update check ${REHEARSAL_CHECKS} times in ${Math.round(performance.now() - started)} ms`);
  }

  /** The answer's XML (Fastify sends it); a refusal rejects, for the listener's filter. */
  private check(request: FastifyRequest, reply: FastifyReply, authenticatedUser: string | null): Promise<string> {
    void reply.header('Content-Type', XML);
    return this.checks.answer(request.body, {
      listener: this.listener,
      requestId: request.id,
      baseUrl: baseUrlOf(request),
      address: addressOf(request),
      authenticatedUser,
    });
  }
}
