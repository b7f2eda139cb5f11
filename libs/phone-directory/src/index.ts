export * from './password-hash';
export * from './phone-directory';
export * from './phone-directory-chain';
