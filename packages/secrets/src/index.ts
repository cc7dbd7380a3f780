export * from './lib/secret-detection';
export * from './lib/secret-keys';
export * from './lib/secret-values';
