import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MAX_REQUEST_BYTES } from '@ucupdates/protocol';
import type { FastifyInstance } from 'fastify';

/** Media types of an update check (phone-protocol.md). */
export const UPDATE_CHECK_CONTENT_TYPES = ['text/xml', 'application/xml'];

/**
 * Update checks arrive as XML, read whole (at most 64 KiB; Fastify answers 413 above that before
 * reading on) and handed to the controller as bytes, parsed there by the protocol's strict parser.
 *
 * A provider of the Lync module on each listener: it registers the parser on that listener's
 * Fastify instance while Nest initialises the application, before Fastify starts.
 */
@Injectable()
export class PhoneBodyParsers implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    this.adapterHost.httpAdapter
      .getInstance<FastifyInstance>()
      .addContentTypeParser(UPDATE_CHECK_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_request, body, done) =>
        done(null, body),
      );
  }
}
