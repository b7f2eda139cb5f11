import { Module } from '@nestjs/common';
import { DeviceLogsController } from './device-logs.controller';
import { DeviceLogsService } from './device-logs.service';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';

/**
 * The admin's view of the phones: the inventory (/api/v1/devices) and the logs they uploaded
 * (/api/v1/device-logs). The phones' own endpoints, the log upload among them, are in devices/.
 */
@Module({ controllers: [DevicesController, DeviceLogsController], providers: [DevicesService, DeviceLogsService] })
export class DevicesModule {}
