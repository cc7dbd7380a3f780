export * from './lib/errors';
export * from './lib/otel-env';
export * from './lib/exporters';
export * from './lib/setup-telemetry';
export * from './lib/logger';
export { formatPrettyLine } from './lib/pretty';
export * from './lib/temporal-logger';
export * from './lib/span-attributes';
export * from './lib/with-span';
