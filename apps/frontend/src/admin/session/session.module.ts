import { Module } from '@nestjs/common';
import { PanelSessions } from '../../auth/panel-sessions';
import { DirectorySignIn } from './directory-sign-in';
import { SessionController } from './session.controller';

/**
 * The control panel's sign-in. It exports PanelSessions and DirectorySignIn, with which
 * AdminAuthGuard reads a session's cookie and rechecks a directory user's groups.
 */
@Module({
  controllers: [SessionController],
  providers: [PanelSessions, DirectorySignIn],
  exports: [PanelSessions, DirectorySignIn],
})
export class SessionModule {}
