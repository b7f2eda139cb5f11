import { Module } from '@nestjs/common';
import { PanelSessions } from '../../auth/panel-sessions';
import { DirectorySignIn } from './directory-sign-in';
import { PanelSignInThrottle } from './panel-sign-in-throttle';
import { SessionController } from './session.controller';

/**
 * The control panel's sign-in, with the throttle of its directory sign-ins. It exports
 * PanelSessions and DirectorySignIn, with which AdminAuthGuard reads a session's cookie and
 * rechecks a directory user's groups.
 */
@Module({
  controllers: [SessionController],
  providers: [PanelSessions, PanelSignInThrottle, DirectorySignIn],
  exports: [PanelSessions, DirectorySignIn],
})
export class SessionModule {}
