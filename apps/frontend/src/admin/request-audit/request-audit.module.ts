import { Module } from '@nestjs/common';
import { RequestAuditController } from './request-audit.controller';
import { RequestAuditService } from './request-audit.service';

@Module({ controllers: [RequestAuditController], providers: [RequestAuditService] })
export class RequestAuditModule {}
