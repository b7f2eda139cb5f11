import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DdiBodyError } from '@ucupdates/ddi-protocol';
import type { FastifyReply } from 'fastify';
import { isServiceUnavailable } from '../../errors/unavailable';
import { DeviceError, type DeviceErrorCode } from '../device-error';

/** A DDI refusal's body, after hawkBit's error answers: a code and words for people. */
export interface DdiErrorBody {
  errorCode: string;
  message: string;
}

const CODES: Record<number, DeviceErrorCode> = {
  401: 'AccessDenied',
  403: 'AccessDenied',
  404: 'NotFound',
  413: 'RequestTooLarge',
  416: 'RangeNotSatisfiable',
  429: 'TooManyRequests',
};

/**
 * DDI devices get every refusal as JSON, `{"errorCode", "message"}`. Nothing a device sends causes
 * a 5xx: a fault of the node itself is logged and answered 503 with Retry-After, so the device
 * polls again later. The listeners' own filters hand DDI paths to it (isDdiPath), so refusals made
 * before a controller runs (bad JSON, a body too large, an unknown route) are DDI's JSON too.
 */
@Catch()
export class DdiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(DdiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = this.toAnswer(exception);
    void reply
      .status(status)
      .headers({ ...headers, 'Content-Type': 'application/json; charset=utf-8' })
      .send(JSON.stringify(body));
  }

  private toAnswer(exception: unknown): { status: number; body: DdiErrorBody; headers: Readonly<Record<string, string>> } {
    if (exception instanceof DeviceError) {
      return { status: exception.getStatus(), body: { errorCode: exception.code, message: exception.detail ?? exception.code }, headers: exception.headers };
    }
    if (exception instanceof DdiBodyError) {
      return { status: HttpStatus.BAD_REQUEST, body: { errorCode: 'BadRequest', message: exception.message }, headers: {} };
    }
    const status =
      exception instanceof HttpException ? exception.getStatus() : ((exception as { statusCode?: unknown })?.statusCode as number | undefined);
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, body: { errorCode: CODES[status] ?? 'BadRequest', message: (exception as Error).message }, headers: {} };
    }
    if ((exception instanceof HttpException && status === HttpStatus.SERVICE_UNAVAILABLE) || isServiceUnavailable(exception)) {
      this.logger.warn(`answered 503: ${(exception as Error).message}`);
    } else {
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: { errorCode: 'ServiceUnavailable', message: 'try again later' },
      headers: { 'Retry-After': '5' },
    };
  }
}
