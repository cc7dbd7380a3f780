import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** Module path of the Flock workflow functions, as the bundler should read it. */
export function flockWorkflowsPath(): string {
  return require.resolve('@flock-ts/workflows');
}

/**
 * When this process reads workspace packages from their TypeScript sources
 * (the `@flock-ts/source` export condition: tests, tsx), the bundler must
 * too; installed packages resolve to `dist` through the regular conditions.
 */
export function withSourceCondition<T extends { resolve?: { conditionNames?: string[] } }>(config: T): T {
  if (!flockWorkflowsPath().endsWith('.ts')) return config;
  config.resolve = config.resolve ?? {};
  config.resolve.conditionNames = ['@flock-ts/source', '...'];
  return config;
}

let cached: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * Bundles the Flock workflow code (with the payload converter) once per
 * process. The bundler rejects Node built-ins and Node-only Temporal
 * packages, naming the import: the build that keeps workflow code
 * sandbox-safe.
 */
export function bundleFlockWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  cached ??= bundleWorkflowCode({
    workflowsPath: flockWorkflowsPath(),
    payloadConverterPath: require.resolve('@flock-ts/serialization/payload-converter'),
    webpackConfigHook: withSourceCondition,
    logger: quietLogger,
  }).catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
