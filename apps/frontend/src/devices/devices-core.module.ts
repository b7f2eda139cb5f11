import { Module } from '@nestjs/common';
import { PhoneDirectory } from '@ucupdates/phone-directory';
import { RawBodyRoutes } from '../http/raw-body-routes';
import { FileDownloadService } from './files/file-download.service';
import { DeviceLogStore } from './logs/device-log-store';
import { UpdateOffers } from './offers/update-offers';
import { BuiltInPhoneDirectory } from './sign-in/built-in-phone-directory';
import { SignInThrottle } from './sign-in/sign-in-throttle';

/**
 * The protocol-neutral device services of one listener, for every protocol adapter (docs/devices.md):
 * the offer, file serving, the device log store, the user directory and sign-in throttling. What
 * they build on is lent by the frontend's core to each listener (http/listeners.ts): the pool
 * state, the request audit writer, the repositories and connections.
 *
 * Also registers the listener's raw-body routes (RawBodyRoutes), once for every adapter on it.
 */
@Module({
  providers: [
    UpdateOffers,
    FileDownloadService,
    DeviceLogStore,
    SignInThrottle,
    { provide: PhoneDirectory, useClass: BuiltInPhoneDirectory },
    RawBodyRoutes,
  ],
  exports: [UpdateOffers, FileDownloadService, DeviceLogStore, SignInThrottle, PhoneDirectory],
})
export class DevicesCoreModule {}
