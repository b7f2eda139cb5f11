export * from './password-hash';
export * from './phone-directory';
