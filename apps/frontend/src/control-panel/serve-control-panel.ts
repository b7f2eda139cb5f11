import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadControlPanelFiles, type PanelFile } from './control-panel-files';

/**
 * The page may load only its own scripts and styles, talk only to its own origin, and be framed
 * by no one: no inline script or style, nothing from elsewhere (the panel has no CDN).
 */
export const CONTROL_PANEL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTROL_PANEL_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * The control panel at `/cp/` on the internal listener: static files that use the admin API like
 * any other client. Routes of Fastify itself rather than a Nest controller: they need no guard
 * (the page holds no data; the API it calls is guarded) and `/cp/` keeps its trailing slash,
 * which the page's relative asset URLs need. `index.html` is revalidated on every load
 * (`no-cache` with an ETag), so a new build is picked up at once; the assets' names carry their
 * content hash, so they are cached for a year and never revalidated.
 */
export function serveControlPanel(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  let files = loadControlPanelFiles();

  fastify.get('/cp', (_request, reply) => {
    void reply.redirect('/cp/', 308);
  });
  fastify.get('/cp/', (request, reply) => {
    files ??= loadControlPanelFiles();
    if (!files) {
      return notBuilt(reply);
    }
    send(request, reply, files.index, 'no-cache');
  });
  fastify.get<{ Params: { name: string } }>('/cp/assets/:name', (request, reply) => {
    files ??= loadControlPanelFiles();
    const file = files?.assets.get(request.params.name);
    if (!file) {
      void reply.status(404).headers(SECURITY_HEADERS).type('text/plain; charset=utf-8').send('no such file\n');
      return;
    }
    send(request, reply, file, 'public, max-age=31536000, immutable');
  });
}

function send(request: FastifyRequest, reply: FastifyReply, file: PanelFile, cacheControl: string): void {
  void reply.headers(SECURITY_HEADERS).header('Cache-Control', cacheControl).header('ETag', file.etag);
  if (request.headers['if-none-match'] === file.etag) {
    void reply.status(304).send();
    return;
  }
  void reply.type(file.contentType).send(file.body);
}

function notBuilt(reply: FastifyReply): void {
  void reply
    .status(503)
    .headers(SECURITY_HEADERS)
    .header('Cache-Control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send('The control panel has not been built on this node: run `npm run build`.\n');
}
