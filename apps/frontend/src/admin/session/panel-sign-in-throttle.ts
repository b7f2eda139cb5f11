import { Injectable } from '@nestjs/common';
import { SignInThrottle } from '../../devices/sign-in/sign-in-throttle';

/**
 * Wrong control-panel sign-ins of directory users (docs/directory.md), throttled as the phones'
 * are — pool-wide in Redis, per user name and per address, UCU_AUTH_FAILURE_LIMIT in
 * UCU_AUTH_FAILURE_WINDOW_SECONDS — in counts of their own: a panel user name is not a phone's
 * SIP address, and a phone guessing does not lock administrators out.
 */
@Injectable()
export class PanelSignInThrottle extends SignInThrottle {
  protected override readonly keyPrefix = 'ucu:panel-sign-in-failures:';
}
