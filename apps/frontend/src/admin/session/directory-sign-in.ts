import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { Role } from '@ucupdates/database';
import { type DirectoryRole, DirectoryUnavailableError } from '@ucupdates/directory';
import type { PanelDirectoryUser } from '../../auth/panel-sessions';
import { DirectoryConnection } from '../../directory/directory-connection';
import { ApiError } from '../../errors/api-error';
import { PanelSignInThrottle } from './panel-sign-in-throttle';

const ROLES: Record<DirectoryRole, Role> = { admin: Role.Admin, operator: Role.Operator, viewer: Role.Viewer };

/**
 * Control-panel sign-in with a directory user name and password (docs/directory.md): the role is
 * the highest of the configured groups the entry is a member of; a user in none is refused. The
 * directory that cannot answer is a 503 the panel shows as such, never "wrong password". Wrong
 * passwords are throttled as the phones' are (PanelSignInThrottle): only a refusal by the
 * directory counts, an outage does not.
 */
@Injectable()
export class DirectorySignIn {
  private readonly logger = new Logger(DirectorySignIn.name);
  /** How long a session trusts the role its groups granted before asking the directory again. */
  private readonly recheckMs: number;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(DirectoryConnection) private readonly connection: DirectoryConnection,
    @Inject(PanelSignInThrottle) private readonly throttle: PanelSignInThrottle,
  ) {
    this.recheckMs = config.UCU_LDAP_ROLE_RECHECK_SECONDS * 1000;
  }

  /** `address`: the client's, for the throttle's count per address. */
  async signIn(name: string, password: string, address: string): Promise<PanelDirectoryUser> {
    const directory = this.connection.ldap;
    if (!directory) {
      throw new ApiError('Unauthorized', 'no directory is configured on this pool (UCU_LDAP_URL): sign in with an admin token');
    }
    const retryAfterSeconds = await this.throttle.retryAfter(name, address);
    if (retryAfterSeconds > 0) {
      throw new ApiError('TooManyRequests', 'too many wrong sign-ins for this user or from this address; try again later', { retryAfterSeconds });
    }
    const user = await answered(() => directory.authenticateAdministrator(name, password));
    if (!user) {
      await this.throttle.failed(name, address);
      throw new ApiError('Unauthorized', 'the directory does not know this user name and password');
    }
    // The password was right, whatever the groups say: the user's count starts again.
    await this.throttle.succeeded(name, address);
    if (!user.role) {
      this.logger.warn(`control panel sign-in refused: the directory user "${name}" is in none of the administrators' groups`);
      throw new ApiError('Forbidden', "this directory user is in none of the administrators' groups");
    }
    return { dn: user.dn, name, role: ROLES[user.role], checkedAt: Date.now() };
  }

  /**
   * The user with its role asked again when the last answer is older than
   * UCU_LDAP_ROLE_RECHECK_SECONDS; null when the user is in no group any more, or the user name no
   * longer finds the same entry (deleted, renamed, or left out by the filter, e.g. disabled). While
   * the directory is unavailable the role stays as it was: administrators are not locked out of a
   * session by an outage (docs/decisions.md, 55).
   */
  async recheck(user: PanelDirectoryUser): Promise<PanelDirectoryUser | null> {
    const directory = this.connection.ldap;
    if (Date.now() - user.checkedAt < this.recheckMs) return user;
    if (!directory) return null;
    try {
      const role = await directory.administratorRole(user.name, user.dn);
      return role ? { ...user, role: ROLES[role], checkedAt: Date.now() } : null;
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) return user;
      throw error;
    }
  }
}

async function answered<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (!(error instanceof DirectoryUnavailableError)) throw error;
    throw new ApiError('ServiceUnavailable', 'the directory is unavailable; try again later, or sign in with an admin token', {
      retryAfterSeconds: error.retryAfterSeconds,
    });
  }
}
