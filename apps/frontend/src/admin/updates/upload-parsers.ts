import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PACKAGE_CONTENT_TYPES } from './updates.controller';

/**
 * Package uploads reach the controller as streams, never parsed into memory: raw bodies as the
 * request stream itself, multipart through @fastify/multipart's streaming file API. Sizes are
 * enforced while streaming into the object store (UCU_MAX_UPLOAD_BYTES).
 */
export async function registerUploadParsers(app: NestFastifyApplication, maxBytes: number): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(PACKAGE_CONTENT_TYPES, (_request, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { files: 1, fields: 0, fileSize: maxBytes + 1 } });
}
