/**
 * Where external phone users' credentials are checked (phone-protocol.md, "External access"):
 * the built-in table, an LDAP directory (docs/directory.md), or both in a configured order
 * (PhoneDirectoryChain).
 */
export abstract class PhoneDirectory {
  /**
   * True when the directory accepts this user id and password, false for wrong credentials or an
   * unknown user. Throws DirectoryUnavailableError (@ucupdates/directory) when it cannot tell.
   */
  abstract authenticate(userId: string, password: string): Promise<boolean>;
}
