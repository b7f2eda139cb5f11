/**
 * Where external phone users' credentials are checked (phone-protocol.md, "External access"). The
 * built-in table now; an LDAP directory (simple bind) implements the same contract later.
 */
export abstract class PhoneDirectory {
  /** True when the directory accepts this user id and password. Never throws for wrong credentials. */
  abstract authenticate(userId: string, password: string): Promise<boolean>;
}
