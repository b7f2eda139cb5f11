import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { NodesController } from './nodes.controller';
import { NodesService } from './nodes.service';

@Module({ imports: [AdminSharedModule], controllers: [NodesController], providers: [NodesService] })
export class NodesModule {}
