import { Body, Controller, Header, HttpCode, Inject, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/roles';
import { addressOf, baseUrlOf } from '../device-request';
import { type AuthenticatedPhoneRequest, ExternalPhoneAuthGuard } from './external-phone-auth.guard';
import { PhoneExceptionFilter } from './phone-exception.filter';
import { PHONE_ROUTES } from './phone-paths';
import { UpdateCheckService } from './update-check.service';

const XML = 'text/xml; charset=utf-8';

/** `POST /RequestHandler/ucdevice.upx` on the internal listener: anonymous (phone-protocol.md). */
@Controller()
@Public()
@ApiExcludeController()
@UseFilters(PhoneExceptionFilter)
export class InternalUpdateCheckController {
  constructor(@Inject(UpdateCheckService) private readonly checks: UpdateCheckService) {}

  @Post(PHONE_ROUTES.internalCheck)
  @HttpCode(200)
  @Header('Content-Type', XML)
  check(@Req() request: FastifyRequest, @Body() body: unknown): Promise<string> {
    return this.checks.answer(body, {
      listener: 'internal',
      requestId: request.id,
      baseUrl: baseUrlOf(request),
      address: addressOf(request),
      authenticatedUser: null,
    });
  }
}

/** `POST /RequestHandlerExt/ucdevice.upx` on the external listener: signed-in users only. */
@Controller()
@ApiExcludeController()
@UseGuards(ExternalPhoneAuthGuard)
@UseFilters(PhoneExceptionFilter)
export class ExternalUpdateCheckController {
  constructor(@Inject(UpdateCheckService) private readonly checks: UpdateCheckService) {}

  @Post(PHONE_ROUTES.externalCheck)
  @HttpCode(200)
  @Header('Content-Type', XML)
  check(@Req() request: AuthenticatedPhoneRequest, @Body() body: unknown): Promise<string> {
    return this.checks.answer(body, {
      listener: 'external',
      requestId: request.id,
      baseUrl: baseUrlOf(request),
      address: addressOf(request),
      authenticatedUser: request.phoneUser ?? null,
    });
  }
}
