import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { appVersion } from '@ucupdates/config';

/** Builds the admin API's OpenAPI document from the internal listener's controllers and serves it at `/api/docs-json`. */
export function serveOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('ucupdates admin API')
    .setDescription('Device updates for IP phones: packages, rules, test devices, configuration, audit (admin-api.md).')
    .setVersion(appVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An admin API token (ucupdates new-token)' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { ui: false, raw: ['json'], jsonDocumentUrl: 'api/docs-json' });
}
