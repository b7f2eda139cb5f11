import type { Config } from '@ucupdates/config';
import type { LdapSettings } from './ldap-directory';

/**
 * The directory's settings from the configuration, or null when no directory is configured
 * (UCU_LDAP_URL unset: phones use the built-in table, the control panel tokens only). The
 * configuration has already checked that a configured directory has all it needs.
 */
export function ldapSettingsOf(config: Config): LdapSettings | null {
  if (config.UCU_LDAP_URL === undefined || config.UCU_LDAP_BASE_DN === undefined || config.UCU_LDAP_BIND_DN === undefined) {
    return null;
  }
  return {
    url: config.UCU_LDAP_URL,
    startTls: config.UCU_LDAP_STARTTLS,
    caFile: config.UCU_LDAP_CA_FILE,
    bindDn: config.UCU_LDAP_BIND_DN,
    bindPassword: config.UCU_LDAP_BIND_PASSWORD ?? config.UCU_LDAP_BIND_PASSWORD_FILE ?? '',
    baseDn: config.UCU_LDAP_BASE_DN,
    userFilter: config.UCU_LDAP_USER_FILTER,
    adminUserFilter: config.UCU_LDAP_ADMIN_USER_FILTER,
    groups: {
      admin: config.UCU_LDAP_ADMIN_GROUP_DN,
      operator: config.UCU_LDAP_OPERATOR_GROUP_DN,
      viewer: config.UCU_LDAP_VIEWER_GROUP_DN,
    },
    poolSize: config.UCU_LDAP_POOL_SIZE,
    connectTimeoutMs: config.UCU_LDAP_CONNECT_TIMEOUT_MS,
    timeoutMs: config.UCU_LDAP_TIMEOUT_MS,
    retryAfterSeconds: config.UCU_LDAP_RETRY_AFTER_SECONDS,
  };
}
