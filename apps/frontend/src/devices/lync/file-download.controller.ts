import { Controller, Get, Head, HttpStatus, Inject, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { parseFilePath } from '@ucupdates/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../auth/roles';
import { DeviceError } from '../device-error';
import { FileDownloadService } from '../files/file-download.service';
import { DownloadTokens } from './download-tokens';
import { PhoneExceptionFilter } from './phone-exception.filter';
import { fileLocationPath, PHONE_ROUTES } from './phone-paths';

// The location is read from the raw URL, still percent-encoded, so `%2F` and friends are seen as
// what they are (parseFilePath refuses them) rather than decoded into separators by the router.

/** `GET`/`HEAD /DeviceUpdateFiles_Int/<path>` on the internal listener: anonymous. */
@Controller()
@Public()
@ApiExcludeController()
@UseFilters(PhoneExceptionFilter)
export class InternalFileDownloadController {
  constructor(@Inject(FileDownloadService) private readonly downloads: FileDownloadService) {}

  @Get(`${PHONE_ROUTES.internalFiles}/*`)
  @Head(`${PHONE_ROUTES.internalFiles}/*`)
  async download(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const rawPath = fileLocationPath(request.url, PHONE_ROUTES.internalFiles);
    const file = this.downloads.find(rawPath === null ? null : parseFilePath(rawPath));
    await this.downloads.send(file, request, reply);
  }
}

/**
 * `GET`/`HEAD /DeviceUpdateFiles_Ext/<path>?t=<token>` on the external listener: the token of the
 * answer that named the file is the permission; without a valid one for this very file, 403.
 */
@Controller()
@ApiExcludeController()
@UseFilters(PhoneExceptionFilter)
export class ExternalFileDownloadController {
  constructor(
    @Inject(FileDownloadService) private readonly downloads: FileDownloadService,
    @Inject(DownloadTokens) private readonly tokens: DownloadTokens,
  ) {}

  @Get(`${PHONE_ROUTES.externalFiles}/*`)
  @Head(`${PHONE_ROUTES.externalFiles}/*`)
  async download(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const rawPath = fileLocationPath(request.url, PHONE_ROUTES.externalFiles);
    const location = rawPath === null ? null : parseFilePath(rawPath);
    const token = new URLSearchParams(request.url.split('?')[1] ?? '').get('t') ?? undefined;
    if (location === null || !this.tokens.allows(location, token, new Date())) {
      throw new DeviceError('AccessDenied', 'the download link is not valid for this file, or it has expired', HttpStatus.FORBIDDEN);
    }
    await this.downloads.send(this.downloads.find(location), request, reply);
  }
}
