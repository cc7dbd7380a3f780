import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { flockWorkflowInterceptorModules } from './tracing';

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

/** Options of {@link bundleFlockWorkflows}. */
export interface FlockBundleOptions {
  /**
   * Bundle the failure converter that moves failure messages and stack
   * traces into encoded (codec-encrypted) attributes: for workers whose
   * payload codec encrypts. Default `false`: failure texts readable in the Web UI.
   */
  encodeFailures?: boolean;
}

const cached = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundles the Flock workflow code (with the payload converter) once per
 * process and variant. The bundler rejects Node built-ins and Node-only
 * Temporal packages, naming the import: the build that keeps workflow code
 * sandbox-safe.
 *
 * @example
 * const bundle = await bundleFlockWorkflows({ encodeFailures: true });
 */
export function bundleFlockWorkflows(options: FlockBundleOptions = {}): Promise<WorkflowBundleWithSourceMap> {
  const encodeFailures = options.encodeFailures === true;
  let bundle = cached.get(encodeFailures);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: flockWorkflowsPath(),
      payloadConverterPath: require.resolve('@flock-ts/serialization/payload-converter'),
      workflowInterceptorModules: flockWorkflowInterceptorModules(),
      ...(encodeFailures ? { failureConverterPath: require.resolve('@flock-ts/serialization/encoded-failure-converter') } : {}),
      webpackConfigHook: withSourceCondition,
      logger: quietLogger,
    }).catch((error) => {
      cached.delete(encodeFailures);
      throw error;
    });
    cached.set(encodeFailures, bundle);
  }
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
