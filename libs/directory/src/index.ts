export * from './connection-pool';
export * from './directory-unavailable.error';
export * from './ldap-directory';
export * from './ldap-filter';
export * from './ldap-settings';
