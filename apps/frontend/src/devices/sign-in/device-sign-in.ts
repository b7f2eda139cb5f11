import { Inject, Injectable } from '@nestjs/common';
import { DirectoryUnavailableError } from '@ucupdates/directory';
import { PhoneDirectory } from '@ucupdates/phone-directory';
import { SignInThrottle } from './sign-in-throttle';

/** What a device's sign-in came to; each protocol adapter answers it in its own words. */
export type SignInOutcome =
  | { outcome: 'accepted' }
  /** The directory said no: wrong password, unknown user, or credentials no directory could hold. */
  | { outcome: 'refused' }
  /** Too many refusals for the user or the address (pool-wide): not even asked. */
  | { outcome: 'throttled'; retryAfterSeconds: number }
  /** The directory could not say: ask again later. Never counted as a refusal. */
  | { outcome: 'unavailable'; retryAfterSeconds: number };

/**
 * A device's user signing in with a user id and password, whatever protocol carried them: the
 * throttle first, then the directories (UCU_PHONE_DIRECTORIES). Only a refusal by a directory
 * counts towards throttling: a directory that does not answer must not lock users out.
 */
@Injectable()
export class DeviceSignIn {
  constructor(
    @Inject(PhoneDirectory) private readonly directory: PhoneDirectory,
    @Inject(SignInThrottle) private readonly throttle: SignInThrottle,
  ) {}

  async signIn(userId: string, password: string, address: string): Promise<SignInOutcome> {
    const retryAfter = await this.throttle.retryAfter(userId, address);
    if (retryAfter > 0) return { outcome: 'throttled', retryAfterSeconds: retryAfter };
    let accepted: boolean;
    try {
      accepted = userId !== '' && userId.length <= 256 && password.length <= 1024 && (await this.directory.authenticate(userId, password));
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) return { outcome: 'unavailable', retryAfterSeconds: error.retryAfterSeconds };
      throw error;
    }
    if (!accepted) {
      await this.throttle.failed(userId, address);
      return { outcome: 'refused' };
    }
    await this.throttle.succeeded(userId, address);
    return { outcome: 'accepted' };
  }
}
