import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MAX_REQUEST_BYTES } from '@ucupdates/protocol';

/** Media types of an update check (phone-protocol.md). */
export const UPDATE_CHECK_CONTENT_TYPES = ['text/xml', 'application/xml'];

/**
 * Update checks arrive as XML, read whole (at most 64 KiB; Fastify answers 413 above that before
 * reading on) and handed to the controller as bytes, parsed there by the protocol's strict parser.
 */
export function registerPhoneParsers(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser(UPDATE_CHECK_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_request, body, done) =>
      done(null, body),
    );
}
