export * from './package-refusal';
export * from './update-description';
