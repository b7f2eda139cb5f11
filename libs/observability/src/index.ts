export * from './create-logger';
export * from './metrics';
export * from './observability.module';
export * from './pino-nest-logger';
export * from './pool-activity';
export * from './request-context';
