import { Module } from '@nestjs/common';
import { CONFIG } from '@ucupdates/config';
import { PhoneDirectory } from '@ucupdates/phone-directory';
import { DirectoryConnection } from '../directory/directory-connection';
import { RawBodyRoutes } from '../http/raw-body-routes';
import { FileDownloadService } from './files/file-download.service';
import { DeviceLogStore } from './logs/device-log-store';
import { UpdateOffers } from './offers/update-offers';
import { BuiltInPhoneDirectory } from './sign-in/built-in-phone-directory';
import { DeviceSignIn } from './sign-in/device-sign-in';
import { phoneDirectories } from './sign-in/phone-directories';
import { SignInThrottle } from './sign-in/sign-in-throttle';

/**
 * The protocol-neutral device services of one listener, for every protocol adapter (docs/devices.md):
 * the offer, file serving, the device log store, sign-in (the user directories, throttling). What
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
    BuiltInPhoneDirectory,
    { provide: PhoneDirectory, inject: [CONFIG, BuiltInPhoneDirectory, DirectoryConnection], useFactory: phoneDirectories },
    DeviceSignIn,
    RawBodyRoutes,
  ],
  exports: [UpdateOffers, FileDownloadService, DeviceLogStore, DeviceSignIn, SignInThrottle],
})
export class DevicesCoreModule {}
