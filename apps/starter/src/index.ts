export * from './lib/cli';
export * from './lib/commands';
export * from './lib/errors';
export * from './lib/examples';
export * from './lib/format';
