import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'AccessDenied',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'RequestTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
};

/**
 * The external listener answers phones only, in XML: `<Response><Error>…</Error></Response>`. A
 * phone never sees a stack trace; an unexpected error is logged and answered 503 so the phone
 * retries later (phone-protocol.md: nothing a phone sends can cause a 5xx — this is for faults
 * of the node itself).
 */
@Catch()
export class PhoneExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(PhoneExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status: number = HttpStatus.SERVICE_UNAVAILABLE;
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (exception instanceof HttpException) {
      status = exception.getStatus();
    } else if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      status = statusCode;
    } else {
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    const code = CODES[status] ?? 'ServiceUnavailable';
    void reply
      .status(status)
      .header('Content-Type', 'text/xml; charset=utf-8')
      .send(`<?xml version="1.0" encoding="utf-8"?>\n<Response><Error>${code}</Error></Response>\n`);
  }
}
