import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { DdiTargetsController } from './ddi-targets.controller';
import { DdiTargetsService } from './ddi-targets.service';

@Module({
  imports: [AdminSharedModule],
  controllers: [DdiTargetsController],
  providers: [DdiTargetsService],
})
export class DdiTargetsModule {}
