import { Controller, HttpCode, HttpStatus, Inject, Param, Put, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONFIG, type Config } from '@ucupdates/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/roles';
import { PhoneExceptionFilter } from '../errors/phone-exception.filter';
import { ExternalPhoneAuthGuard } from '../phone/external-phone-auth.guard';
import type { AuthenticatedPhoneRequest } from '../phone/phone-request';
import { RawBody } from './device-log-body';
import { DEVICE_LOG_ROUTES, receiveUpload } from './device-log-request';
import { DeviceLogUploadService } from './device-log-upload.service';

/**
 * `PUT /RequestHandler/Logs/<LogType>/<FileName>` on the internal listener: anonymous, like the
 * update check (phone-protocol.md). The body is the raw file, taken whatever its Content-Type.
 */
@Controller()
@Public()
@ApiExcludeController()
@UseFilters(PhoneExceptionFilter)
export class InternalDeviceLogUploadController {
  constructor(
    @Inject(DeviceLogUploadService) private readonly uploads: DeviceLogUploadService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Put(DEVICE_LOG_ROUTES.internal)
  @RawBody()
  @HttpCode(HttpStatus.CREATED)
  async upload(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: { logType: string; fileName: string },
  ): Promise<string> {
    return receiveUpload(this.uploads, request, reply, params, this.config.UCU_NODE_ID, { userId: null, external: false });
  }
}

/**
 * `PUT /RequestHandlerExt/Logs/<LogType>/<FileName>` on the external listener: signed-in users
 * only (the same Basic check and pool-wide throttling as the external update check).
 */
@Controller()
@ApiExcludeController()
@UseGuards(ExternalPhoneAuthGuard)
@UseFilters(PhoneExceptionFilter)
export class ExternalDeviceLogUploadController {
  constructor(
    @Inject(DeviceLogUploadService) private readonly uploads: DeviceLogUploadService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Put(DEVICE_LOG_ROUTES.external)
  @RawBody()
  @HttpCode(HttpStatus.CREATED)
  async upload(
    @Req() request: AuthenticatedPhoneRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: { logType: string; fileName: string },
  ): Promise<string> {
    return receiveUpload(this.uploads, request, reply, params, this.config.UCU_NODE_ID, {
      userId: request.phoneUser ?? null,
      external: true,
    });
  }
}
