export * from './lib/versions';
export * from './lib/wire';
export * from './lib/wire-v1';
export * from './lib/activities';
export * from './lib/status';
export * from './lib/search-attributes';
export * from './lib/activity-options';
export * from './lib/errors';
