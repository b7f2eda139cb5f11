import { Body, Controller, Get, Head, HttpCode, HttpStatus, Inject, Param, Post, Put, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type CancelAnswer, DDI_ROUTES, type DeploymentAnswer, parseActionId, type PollAnswer } from '@ucupdates/ddi-protocol';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/roles';
import type { ListenerName } from '../../http/create-http-app';
import { DeviceError } from '../device-error';
import { addressOf, baseUrlOf } from '../device-request';
import { FileDownloadService } from '../files/file-download.service';
import { DDI_LISTENER, DdiAuthGuard, type DdiCaller, type DdiRequest } from './ddi-auth.guard';
import { DdiExceptionFilter } from './ddi-exception.filter';
import { type DdiContext, DdiService } from './ddi.service';

/** An action id of the path, or 404: a path that names no action names nothing. */
function actionIdOf(text: string): string {
  const id = parseActionId(text);
  if (id === null) throw new DeviceError('NotFound', 'no such action', HttpStatus.NOT_FOUND);
  return id;
}

/**
 * hawkBit's DDI API v1 (ddi.md) on one listener, the same routes on both: the internal listener
 * marks them public to the admin guard (the DDI guard does their authentication), the external
 * one serves them beside Lync's. Answers are JSON, also to `Accept: application/hal+json`; a GET's
 * `Content-Type: application/json` without a body and SWUpdate's `charsets` header are ignored.
 */
@Controller()
@Public()
@ApiExcludeController()
@UseGuards(DdiAuthGuard)
@UseFilters(DdiExceptionFilter)
export class DdiController {
  constructor(
    @Inject(DDI_LISTENER) private readonly listener: ListenerName,
    @Inject(DdiService) private readonly ddi: DdiService,
    @Inject(FileDownloadService) private readonly downloads: FileDownloadService,
  ) {}

  @Get(DDI_ROUTES.poll)
  poll(@Req() request: DdiRequest): Promise<PollAnswer> {
    return this.ddi.poll(this.context(request));
  }

  @Put(DDI_ROUTES.configData)
  @HttpCode(HttpStatus.OK)
  async configData(@Req() request: DdiRequest, @Body() body: unknown): Promise<void> {
    await this.ddi.configData(this.context(request), body);
  }

  @Get(DDI_ROUTES.deploymentBase)
  deployment(@Req() request: DdiRequest, @Param('actionId') actionId: string): Promise<DeploymentAnswer> {
    return this.ddi.deployment(this.context(request), actionIdOf(actionId));
  }

  // SWUpdate abandons an install on a 201 or 204: feedback is answered 200 (ddi.md).
  @Post(DDI_ROUTES.deploymentFeedback)
  @HttpCode(HttpStatus.OK)
  async deploymentFeedback(@Req() request: DdiRequest, @Param('actionId') actionId: string, @Body() body: unknown): Promise<void> {
    await this.ddi.feedback(this.context(request), 'deploymentBase', actionIdOf(actionId), body);
  }

  @Get(DDI_ROUTES.cancelAction)
  cancellation(@Req() request: DdiRequest, @Param('actionId') actionId: string): Promise<CancelAnswer> {
    return this.ddi.cancellation(this.context(request), actionIdOf(actionId));
  }

  @Post(DDI_ROUTES.cancelFeedback)
  @HttpCode(HttpStatus.OK)
  async cancelFeedback(@Req() request: DdiRequest, @Param('actionId') actionId: string, @Body() body: unknown): Promise<void> {
    await this.ddi.feedback(this.context(request), 'cancelAction', actionIdOf(actionId), body);
  }

  @Get(DDI_ROUTES.installedBase)
  installed(@Req() request: DdiRequest, @Param('actionId') actionId: string): Promise<DeploymentAnswer> {
    return this.ddi.installed(this.context(request), actionIdOf(actionId));
  }

  @Get(DDI_ROUTES.artifact)
  @Head(DDI_ROUTES.artifact)
  async artifact(
    @Req() request: DdiRequest,
    @Res() reply: FastifyReply,
    @Param('moduleId') moduleId: string,
    @Param('fileName') fileName: string,
  ): Promise<void> {
    const file = await this.ddi.artifact(this.context(request), actionIdOf(moduleId), fileName);
    await this.downloads.send(file, request, reply);
  }

  private context(request: DdiRequest): DdiContext {
    return {
      caller: request.ddiCaller as DdiCaller,
      listener: this.listener,
      requestId: request.id,
      address: addressOf(request),
      baseUrl: baseUrlOf(request),
    };
  }
}
