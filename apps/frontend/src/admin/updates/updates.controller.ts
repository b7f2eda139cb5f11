import { Readable } from 'node:stream';
import { Controller, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import { ROUTES, type UploadView } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { ApiError } from '../../errors/api-error';
import { UpdatesService } from './updates.service';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';

/** Content types whose body is the package itself (registered as raw streams in upload-parsers.ts). */
export const PACKAGE_CONTENT_TYPES = ['application/vnd.ms-cab-compressed', 'application/octet-stream'];

const FILE_NAME = /filename="?([^";]{1,255})"?/i;

@Controller()
@ApiTags('updates')
@RequireRole(Role.Operator)
export class UpdatesController {
  constructor(@Inject(UpdatesService) private readonly updates: UpdatesService) {}

  /**
   * Upload a package: the `.cab` as the body, or multipart with one file field `file`. 202 with
   * the new import; 200 with the first import when these bytes came before.
   */
  @Post(ROUTES.updates)
  @ApiConsumes(...PACKAGE_CONTENT_TYPES, 'multipart/form-data')
  @ApiBody({ description: 'the .cab, as the body or as the multipart field "file"', schema: { type: 'string', format: 'binary' } })
  async upload(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Principal() principal: AdminPrincipal,
  ): Promise<UploadView> {
    const { body, fileName } = await this.packageOf(request);
    const result = await this.updates.upload(body, fileName, principal);
    reply.status(result.created ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return { importId: result.import.importId, sha256: result.import.sha256, status: result.import.status };
  }

  private async packageOf(request: FastifyRequest): Promise<{ body: Readable; fileName: string }> {
    if (request.isMultipart()) {
      const part = await request.file();
      if (!part || part.fieldname !== 'file') {
        throw new ApiError('BadRequest', 'file: the multipart body needs one file field named "file"', {
          field: 'file',
        });
      }
      return { body: part.file, fileName: safeFileName(part.filename) };
    }
    if (!(request.body instanceof Readable)) {
      throw new ApiError(
        'UnsupportedMediaType',
        `send the package as ${PACKAGE_CONTENT_TYPES.join(' or ')}, or as multipart/form-data with the field "file"`,
      );
    }
    const disposition = FILE_NAME.exec(request.headers['content-disposition'] ?? '');
    return { body: request.body, fileName: safeFileName(disposition?.[1]) };
  }
}

/** The name is only shown to admins; keep a base name of printable characters. */
function safeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop()?.replace(/[^\x20-\x7e]/g, '').trim();
  return base || 'UCUpdates.cab';
}
