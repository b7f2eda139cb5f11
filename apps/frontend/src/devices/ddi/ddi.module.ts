import type { DynamicModule } from '@nestjs/common';
import type { ListenerName } from '../../http/create-http-app';
import { DevicesCoreModule } from '../devices-core.module';
import { DDI_LISTENER, DdiAuthGuard } from './ddi-auth.guard';
import { DdiController } from './ddi.controller';
import { DdiService } from './ddi.service';

/**
 * hawkBit's DDI API on one listener (ddi.md, docs/devices.md): its routes, JSON bodies (Fastify's
 * own parser), token authentication and artifacts. It builds on the protocol-neutral services of
 * DevicesCoreModule, like LyncModule beside it.
 */
export class DdiModule {
  static on(listener: ListenerName): DynamicModule {
    return {
      module: DdiModule,
      imports: [DevicesCoreModule],
      controllers: [DdiController],
      providers: [{ provide: DDI_LISTENER, useValue: listener }, DdiAuthGuard, DdiService],
    };
  }
}
