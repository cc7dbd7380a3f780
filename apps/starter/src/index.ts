export * from './lib/cli';
export * from './lib/commands';
export * from './lib/examples';
export * from './lib/format';
