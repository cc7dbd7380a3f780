// The worker entry: host flocks on Temporal workers, yours (`FlockPlugin`)
// or Flock's own (`createFlockWorker`, in-process workers), and bundle
// Flock's workflow code.
export * from './lib/flock-plugin';
export * from './lib/in-process-workers';
export * from './lib/sdk-runtime';
export * from './lib/worker-factory';
export * from './lib/worker-tracing';
export * from './lib/workflow-bundle';
