// The client entry: choose Temporal for a flock (`temporal()`), start, follow
// and query runs. It never loads `@temporalio/worker`: hosting flocks is
// `@flock-ts/temporal/worker`.
export * from './lib/connection';
export { connectClient, connectNative, CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_MS, type ConnectOptions } from './lib/connect';
export * from './lib/data-converter';
export * from './lib/errors';
export * from './lib/flock-module';
export * from './lib/flock-search-attributes';
export * from './lib/payload-codec-env';
export * from './lib/run-start';
export * from './lib/runs-client';
export * from './lib/search-attributes';
export * from './lib/run-events';
export * from './lib/run-results';
export * from './lib/step-ledger';
export * from './lib/temporal-run';
export * from './lib/temporal-executor';
export * from './lib/client-tracing';
export * from './lib/web-ui';
