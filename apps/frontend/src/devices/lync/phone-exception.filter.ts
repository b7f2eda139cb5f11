import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { ProtocolError, renderPhoneError } from '@ucupdates/protocol';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { isServiceUnavailable } from '../../errors/unavailable';
import { DeviceError } from '../device-error';

const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'AccessDenied',
  403: 'AccessDenied',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'RequestTooLarge',
  415: 'UnsupportedMediaType',
  416: 'RangeNotSatisfiable',
  429: 'TooManyRequests',
  507: 'InsufficientStorage',
};

interface PhoneAnswer {
  status: number;
  code: string;
  message: string | undefined;
  headers: Readonly<Record<string, string>>;
}

/**
 * Phones get every refusal in XML: `<Response><Error>code</Error><Message>…</Message></Response>`,
 * a DeviceError's code as the `<Error>`. A phone never sees a stack trace; a fault of the node
 * itself is logged and answered 503, so the phone retries later (phone-protocol.md: nothing a
 * phone sends can cause a 5xx).
 *
 * The external listener's only filter; on the internal listener the admin filter hands phone
 * paths to it (see AdminExceptionFilter).
 */
@Catch()
export class PhoneExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const answer = this.toAnswer(exception, http.getRequest<FastifyRequest>().log);
    void reply
      .status(answer.status)
      .headers({ ...answer.headers, 'Content-Type': 'text/xml; charset=utf-8' })
      .send(renderPhoneError(answer.code, answer.message));
  }

  /** `log` is the request's own logger: its lines carry the request id (update checks run without AsyncLocalStorage). */
  private toAnswer(exception: unknown, log: FastifyBaseLogger): PhoneAnswer {
    if (exception instanceof DeviceError) {
      return { status: exception.getStatus(), code: exception.code, message: exception.detail, headers: exception.headers };
    }
    if (exception instanceof ProtocolError) {
      return { status: exception.status, code: exception.code, message: exception.message, headers: {} };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return { status, code: CODES[status] ?? 'BadRequest', message: exception.message, headers: {} };
    }
    // Fastify's own refusals (body too large, media type) carry a 4xx statusCode.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, code: CODES[statusCode] ?? 'BadRequest', message: (exception as Error).message, headers: {} };
    }
    if ((exception instanceof HttpException && exception.getStatus() === HttpStatus.SERVICE_UNAVAILABLE) || isServiceUnavailable(exception)) {
      log.warn({ context: PhoneExceptionFilter.name }, `answered 503: ${(exception as Error).message}`);
    } else {
      log.error({ context: PhoneExceptionFilter.name, err: exception }, exception instanceof Error ? exception.message : String(exception));
    }
    return { status: HttpStatus.SERVICE_UNAVAILABLE, code: 'ServiceUnavailable', message: 'try again later', headers: { 'Retry-After': '5' } };
  }
}
