import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDdiPath } from '@ucupdates/ddi-protocol';
import { DdiExceptionFilter } from '../devices/ddi/ddi-exception.filter';
import { isPhonePath } from '../devices/lync/phone-paths';
import { PhoneExceptionFilter } from '../devices/lync/phone-exception.filter';
import { ApiError } from './api-error';
import { type ErrorBody, errorCodeOfStatus } from '@ucupdates/admin-api';
import { isServiceUnavailable } from './unavailable';

/**
 * Every answer of the internal listener that is not a success is
 * `{"error": {"code", "message", "details"}}`. Unexpected errors are logged with their stack and
 * answered 500 without it. The phone paths of the listener answer in XML, also when the error
 * comes before their controller (body too large, unknown route): those go to the phone filter;
 * the DDI paths answer in DDI's JSON, for the same reason.
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AdminExceptionFilter.name);
  private readonly phones = new PhoneExceptionFilter();
  private readonly ddi = new DdiExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const url = host.switchToHttp().getRequest<FastifyRequest>().url;
    if (isPhonePath(url)) {
      return this.phones.catch(exception, host);
    }
    if (isDdiPath(url)) {
      return this.ddi.catch(exception, host);
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.toAnswer(exception);
    if (status === HttpStatus.UNAUTHORIZED) {
      reply.header('WWW-Authenticate', 'Bearer realm="ucupdates"');
    }
    if (status === HttpStatus.SERVICE_UNAVAILABLE || status === HttpStatus.TOO_MANY_REQUESTS) {
      // The refusal's own wait (the throttle's window, the directory's UCU_LDAP_RETRY_AFTER_SECONDS), else 5 s.
      const wait = body.error.details?.retryAfterSeconds;
      reply.header('Retry-After', String(typeof wait === 'number' && Number.isInteger(wait) && wait > 0 ? wait : 5));
    }
    void reply.status(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
  }

  private toAnswer(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof ApiError) {
      const error = { code: exception.code, message: exception.message, details: exception.details ?? null };
      return { status: exception.getStatus(), body: { error } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, body: { error: { code: errorCodeOfStatus(status), message: exception.message, details: null } } };
    }
    // Fastify's own errors (body too large, bad JSON, …) carry a statusCode.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const message = (exception as Error).message;
      return { status: statusCode, body: { error: { code: errorCodeOfStatus(statusCode), message, details: null } } };
    }
    if (isServiceUnavailable(exception)) {
      this.logger.warn(`answered 503: ${(exception as Error).message}`);
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: {
          error: {
            code: 'ServiceUnavailable',
            message: 'a service this node needs (Postgres, Redis or the object store) is unavailable; nothing was changed, try again',
            details: null,
          },
        },
      };
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'InternalError', message: 'internal error; see the node log', details: null } },
    };
  }
}
