export * from './lib/cli';
export * from './lib/observability';
export * from './lib/run-worker';
export * from './lib/workflow-bundle-file';
