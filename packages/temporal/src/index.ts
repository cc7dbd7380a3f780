import { registerExecutor } from '@flock-ts/core';
import { TemporalExecutor } from './lib/temporal-executor';

export * from './lib/connection';
export * from './lib/data-converter';
export * from './lib/errors';
export * from './lib/flock-module';
export * from './lib/flock-search-attributes';
export * from './lib/in-process-workers';
export * from './lib/payload-codec-env';
export * from './lib/run-start';
export * from './lib/runs-client';
export * from './lib/search-attributes';
export * from './lib/run-events';
export * from './lib/run-results';
export * from './lib/step-ledger';
export * from './lib/temporal-run';
export * from './lib/temporal-executor';
export * from './lib/tracing';
export * from './lib/web-ui';
export * from './lib/worker-factory';
export * from './lib/workflow-bundle';

// Importing this package is what makes `enableTemporal: true` work.
registerExecutor('temporal', () => new TemporalExecutor());
