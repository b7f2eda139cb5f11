import type { Config } from '@ucupdates/config';
import { type PhoneDirectory, PhoneDirectoryChain } from '@ucupdates/phone-directory';
import type { DirectoryConnection } from '../../directory/directory-connection';
import type { BuiltInPhoneDirectory } from './built-in-phone-directory';
import { LdapPhoneDirectory } from './ldap-phone-directory';

/** The directories UCU_PHONE_DIRECTORIES names, in its order (the configuration checked that `ldap` is set up). */
export function phoneDirectories(config: Config, table: BuiltInPhoneDirectory, connection: DirectoryConnection): PhoneDirectory {
  const directories = config.UCU_PHONE_DIRECTORIES.map((name): PhoneDirectory => {
    if (name === 'table') return table;
    if (!connection.ldap) throw new Error('UCU_PHONE_DIRECTORIES names ldap, but no directory is configured (UCU_LDAP_URL)');
    return new LdapPhoneDirectory(connection.ldap);
  });
  return directories.length === 1 ? directories[0] : new PhoneDirectoryChain(directories);
}
