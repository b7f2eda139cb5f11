import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { UpdatesController } from './updates.controller';
import { UpdatesService } from './updates.service';

@Module({
  imports: [ImportsModule, AdminSharedModule],
  controllers: [UpdatesController],
  providers: [UpdatesService],
})
export class UpdatesModule {}
