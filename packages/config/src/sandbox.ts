/**
 * The zod-free part of `@flock-ts/config`, for workflow code: the Temporal
 * sandbox evaluates every module a workflow imports again for each
 * workflow, so this entry carries no schema (parse and validate
 * definitions through the main entry, in clients and activities).
 */
export * from './lib/flock-error';
export * from './lib/errors';
export * from './lib/signature-syntax';
export * from './lib/activity-config';
