import { Controller, Get, Head, HttpStatus, Inject, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { parseExternalFilePath, parseFilePath } from '@ucupdates/protocol';
import { isDdiDeviceType } from '@ucupdates/rules';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../auth/roles';
import { DeviceError } from '../device-error';
import { FileDownloadService, type VersionFile } from '../files/file-download.service';
import { DownloadTokens } from './download-tokens';
import { PhoneExceptionFilter } from './phone-exception.filter';
import { fileLocationPath, PHONE_ROUTES } from './phone-paths';

// The location is read from the raw URL, still percent-encoded, so `%2F` and friends are seen as
// what they are (parseFilePath refuses them) rather than decoded into separators by the router.

const INTERNAL_STORE = [PHONE_ROUTES.internalFiles, PHONE_ROUTES.internalFilesAlias];
const EXTERNAL_STORE = [PHONE_ROUTES.externalFiles, PHONE_ROUTES.externalFilesAlias];

/**
 * A DDI update's files are a DDI device's, downloaded by its artifact links (ddi.md): the phone
 * stores know no folder of device type DDI. (The external store needs no check: it serves only
 * folders an answer issued a token for, and a phone is never answered a DDI folder.)
 */
function phoneFile(location: VersionFile | null): VersionFile | null {
  return location === null || isDdiDeviceType(location.deviceType) ? null : location;
}

/** `GET`/`HEAD /DeviceUpdateFiles_Int/<path>` and `/RequestHandler/Files/<path>` on the internal listener: anonymous. */
@Controller()
@Public()
@ApiExcludeController()
@UseFilters(PhoneExceptionFilter)
export class InternalFileDownloadController {
  constructor(@Inject(FileDownloadService) private readonly downloads: FileDownloadService) {}

  @Get(INTERNAL_STORE.map((prefix) => `${prefix}/*`))
  @Head(INTERNAL_STORE.map((prefix) => `${prefix}/*`))
  async download(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const rawPath = fileLocationPath(request.url, INTERNAL_STORE);
    const file = this.downloads.find(phoneFile(rawPath === null ? null : parseFilePath(rawPath)));
    await this.downloads.send(file, request, reply);
  }
}

/**
 * `GET`/`HEAD /DeviceUpdateFiles_Ext/~<token>/<path>` and `/RequestHandlerExt/Files/~<token>/<path>`
 * on the external listener: the token of the answer that named the folder is the permission;
 * without a valid one for this very folder, 403, before the file is looked up (no existence oracle).
 */
@Controller()
@ApiExcludeController()
@UseFilters(PhoneExceptionFilter)
export class ExternalFileDownloadController {
  constructor(
    @Inject(FileDownloadService) private readonly downloads: FileDownloadService,
    @Inject(DownloadTokens) private readonly tokens: DownloadTokens,
  ) {}

  @Get(EXTERNAL_STORE.map((prefix) => `${prefix}/*`))
  @Head(EXTERNAL_STORE.map((prefix) => `${prefix}/*`))
  async download(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const rawPath = fileLocationPath(request.url, EXTERNAL_STORE);
    const { token, location } = rawPath === null ? { token: null, location: null } : parseExternalFilePath(rawPath);
    if (location === null || !this.tokens.allows(location, token, new Date())) {
      throw new DeviceError('AccessDenied', 'the download link is not valid for this folder, or it has expired', HttpStatus.FORBIDDEN);
    }
    await this.downloads.send(this.downloads.find(location), request, reply);
  }
}
