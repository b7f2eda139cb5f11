export * from './package-refusal';
export * from './update-description';
export * from './microsoft-package';
