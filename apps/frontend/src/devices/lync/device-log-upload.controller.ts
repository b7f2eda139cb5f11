import { Controller, HttpCode, HttpStatus, Inject, Param, Put, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONFIG, type Config } from '@ucupdates/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../auth/roles';
import { RawBody } from '../../http/raw-body-routes';
import { DeviceLogStore } from '../logs/device-log-store';
import { type AuthenticatedPhoneRequest, ExternalPhoneAuthGuard } from './external-phone-auth.guard';
import { receiveUpload } from './device-log-upload-request';
import { PhoneExceptionFilter } from './phone-exception.filter';
import { PHONE_ROUTES } from './phone-paths';

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
    @Inject(DeviceLogStore) private readonly logs: DeviceLogStore,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Put(PHONE_ROUTES.internalLogs)
  @RawBody()
  @HttpCode(HttpStatus.CREATED)
  async upload(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: { logType: string; fileName: string },
  ): Promise<string> {
    return receiveUpload(this.logs, request, reply, params, this.config.UCU_NODE_ID, { userId: null, external: false });
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
    @Inject(DeviceLogStore) private readonly logs: DeviceLogStore,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Put(PHONE_ROUTES.externalLogs)
  @RawBody()
  @HttpCode(HttpStatus.CREATED)
  async upload(
    @Req() request: AuthenticatedPhoneRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: { logType: string; fileName: string },
  ): Promise<string> {
    return receiveUpload(this.logs, request, reply, params, this.config.UCU_NODE_ID, {
      userId: request.phoneUser ?? null,
      external: true,
    });
  }
}
