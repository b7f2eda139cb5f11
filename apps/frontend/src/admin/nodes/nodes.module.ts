import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { NodesController } from './nodes.controller';
import { NodesService } from './nodes.service';
import { PoolActivityService } from './pool-activity.service';

@Module({ imports: [AdminSharedModule], controllers: [NodesController], providers: [NodesService, PoolActivityService] })
export class NodesModule {}
