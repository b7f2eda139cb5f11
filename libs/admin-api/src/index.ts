export * from './errors';
export * from './page';
export * from './roles';
export * from './routes';
export * from './views';
export * from './failure';
