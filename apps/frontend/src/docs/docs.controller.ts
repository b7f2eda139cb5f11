import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/roles';
import { ApiError } from '../errors/api-error';

/** The files of Swagger UI this page uses, served from the package: no CDN at run time. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const ASSET_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ucupdates admin API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis] });
  </script>
</body>
</html>
`;

/** `/api/docs`: the OpenAPI document (at `/api/docs-json`) in Swagger UI. */
@Controller('api/docs')
@Public()
@ApiExcludeController()
export class DocsController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get(':asset')
  asset(@Param('asset') asset: string, @Res() reply: FastifyReply): void {
    const type = ASSETS[asset];
    if (!type) {
      throw new ApiError('NotFound', `no such file: ${asset}`);
    }
    void reply
      .header('Content-Type', type)
      .header('Cache-Control', 'public, max-age=86400')
      .send(createReadStream(join(ASSET_DIR, asset)));
  }
}
