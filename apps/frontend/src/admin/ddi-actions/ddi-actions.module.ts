import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { DdiActionsController } from './ddi-actions.controller';
import { DdiActionsService } from './ddi-actions.service';

@Module({
  imports: [AdminSharedModule],
  controllers: [DdiActionsController],
  providers: [DdiActionsService],
})
export class DdiActionsModule {}
