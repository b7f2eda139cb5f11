export * from './device-update-configuration';
export * from './timespan';
