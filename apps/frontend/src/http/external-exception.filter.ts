import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { isDdiPath } from '@ucupdates/ddi-protocol';
import type { FastifyRequest } from 'fastify';
import { DdiExceptionFilter } from '../devices/ddi/ddi-exception.filter';
import { PhoneExceptionFilter } from '../devices/lync/phone-exception.filter';

/**
 * The external listener's refusals in the protocol of the path: DDI's JSON under a DDI path,
 * Lync's XML everywhere else (an unknown path is a phone's 404, as it was before DDI).
 */
@Catch()
export class ExternalExceptionFilter implements ExceptionFilter {
  private readonly phones = new PhoneExceptionFilter();
  private readonly ddi = new DdiExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const url = host.switchToHttp().getRequest<FastifyRequest>().url;
    return isDdiPath(url) ? this.ddi.catch(exception, host) : this.phones.catch(exception, host);
  }
}
