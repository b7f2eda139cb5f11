export * from './action-decision';
export * from './ddi-answers';
export * from './ddi-bodies';
export * from './ddi-paths';
