export * from './lib/flock-error';
export * from './lib/errors';
export * from './lib/validate';
export * from './lib/signature';
export * from './lib/temporal-config';
export * from './lib/definitions';
export * from './lib/run-request';
