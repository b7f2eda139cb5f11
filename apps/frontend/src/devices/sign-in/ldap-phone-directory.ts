import type { LdapDirectory } from '@ucupdates/directory';
import { PhoneDirectory } from '@ucupdates/phone-directory';

/** Phone users from the LDAP directory: UCU_LDAP_USER_FILTER finds the entry, a bind checks the password. */
export class LdapPhoneDirectory extends PhoneDirectory {
  constructor(private readonly directory: LdapDirectory) {
    super();
  }

  authenticate(userId: string, password: string): Promise<boolean> {
    return this.directory.authenticatePhoneUser(userId, password);
  }
}
