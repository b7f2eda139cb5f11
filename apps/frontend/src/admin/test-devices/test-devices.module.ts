import { Module } from '@nestjs/common';
import { AdminSharedModule } from '../shared/admin-shared.module';
import { TestDevicesController } from './test-devices.controller';
import { TestDevicesService } from './test-devices.service';

@Module({
  imports: [AdminSharedModule],
  controllers: [TestDevicesController],
  providers: [TestDevicesService],
})
export class TestDevicesModule {}
