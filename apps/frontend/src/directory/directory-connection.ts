import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { LdapDirectory, ldapSettingsOf } from '@ucupdates/directory';

/**
 * The frontend's one LDAP directory (docs/directory.md), shared by both listeners: phones sign
 * in against it on the external one, administrators on the internal one. `ldap` is null when no
 * directory is configured. Its state changes are logged once each, not per sign-in.
 */
@Injectable()
export class DirectoryConnection {
  private readonly logger = new Logger(DirectoryConnection.name);
  readonly ldap: LdapDirectory | null;

  constructor(@Inject(CONFIG) config: Config) {
    const settings = ldapSettingsOf(config);
    this.ldap = settings
      ? new LdapDirectory(settings, (status) => {
          if (status.state === 'up') this.logger.log(`the directory at ${settings.url} answers again`);
          else this.logger.warn(`the directory at ${settings.url} is unavailable: ${status.error}`);
        })
      : null;
  }

  /** Closes the pooled connections (when the frontend stops). */
  close(): void {
    this.ldap?.close();
  }
}
