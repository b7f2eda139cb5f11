import type { DynamicModule } from '@nestjs/common';
import type { ListenerName } from '../../http/create-http-app';
import { DevicesCoreModule } from '../devices-core.module';
import { ExternalDeviceLogUploadController, InternalDeviceLogUploadController } from './device-log-upload.controller';
import { ExternalPhoneAuthGuard } from './external-phone-auth.guard';
import { ExternalFileDownloadController, InternalFileDownloadController } from './file-download.controller';
import { LYNC_LISTENER, UpdateCheckRoutes } from './update-check-routes';
import { UpdateCheckService } from './update-check.service';

/**
 * Lync's phone protocol on one listener (phone-protocol.md): its routes, the XML it reads and
 * writes, its file paths and download tokens, and on the external listener the Basic sign-in. It
 * builds on the protocol-neutral services of DevicesCoreModule; DownloadTokens, shared by the
 * listeners, comes with the frontend's core (http/listeners.ts). The update check, a node's hot
 * path, is a route of Fastify itself (UpdateCheckRoutes); files and log uploads are controllers.
 */
export class LyncModule {
  static on(listener: ListenerName): DynamicModule {
    const internal = listener === 'internal';
    return {
      module: LyncModule,
      imports: [DevicesCoreModule],
      controllers: internal
        ? [InternalFileDownloadController, InternalDeviceLogUploadController]
        : [ExternalFileDownloadController, ExternalDeviceLogUploadController],
      providers: [
        { provide: LYNC_LISTENER, useValue: listener },
        UpdateCheckService,
        UpdateCheckRoutes,
        ...(internal ? [] : [ExternalPhoneAuthGuard]),
      ],
    };
  }
}
