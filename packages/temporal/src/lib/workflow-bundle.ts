import { bundleWorkflowCode, type BundleOptions, type WorkflowBundle, type WorkflowBundlePath } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { flockWorkflowInterceptorModules } from './worker-tracing';

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
  /**
   * Bundle the OpenTelemetry workflow interceptors: the `RunWorkflow` and
   * `StartActivity` spans made inside the sandbox, and the trace context
   * handed to activities (so agent steps join the caller's trace). Default
   * `true`. `false` builds the lean variant: no OpenTelemetry code in the
   * bundle, so each workflow skips evaluating it and building a tracer
   * provider; for workers whose spans go nowhere anyway. The interceptors
   * add no commands (the recorded histories replay on both variants), but
   * they make promises settle a few microtasks later: keep the workers of a
   * task queue on one variant, so a run never moves between them.
   */
  tracing?: boolean;
}

/**
 * A Flock workflow bundle: the code and, apart from it, its source map.
 * Temporal's `Worker.create` and `Worker.runReplayHistory` read the map only
 * from the code: hand them {@link inlineSourceMap}`(bundle)`.
 */
export interface FlockWorkflowBundle {
  /** The bundled workflow code, without a source map comment. */
  code: string;
  /** Its source map (JSON, version 3), whose `sources` name the original files. */
  sourceMap: string;
}

const cached = new Map<string, Promise<FlockWorkflowBundle>>();

/**
 * Bundles the Flock workflow code (with the payload converter) once per
 * process and variant (`encodeFailures` x `tracing`). The bundler rejects
 * Node built-ins and Node-only Temporal packages, naming the import: the
 * build that keeps workflow code sandbox-safe. Comments and whitespace are
 * left out of the code (names are kept: error and class names matter); the
 * source map maps it back to the sources.
 *
 * @example
 * const bundle = await bundleFlockWorkflows({ encodeFailures: true, tracing: false });
 * await Worker.create({ ...options, workflowBundle: inlineSourceMap(bundle) });
 */
export function bundleFlockWorkflows(options: FlockBundleOptions = {}): Promise<FlockWorkflowBundle> {
  const encodeFailures = options.encodeFailures === true;
  const tracing = options.tracing !== false;
  const key = `${String(encodeFailures)}/${String(tracing)}`;
  let bundle = cached.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: flockWorkflowsPath(),
      payloadConverterPath: require.resolve('@flock-ts/serialization/payload-converter'),
      workflowInterceptorModules: flockWorkflowInterceptorModules({ tracing }),
      preloadModules: flockPreloadModules(),
      ...(encodeFailures ? { failureConverterPath: require.resolve('@flock-ts/serialization/encoded-failure-converter') } : {}),
      webpackConfigHook: flockWebpackConfig,
      logger: quietLogger,
    })
      .then(({ code }) => splitSourceMap(code))
      .catch((error: unknown) => {
        cached.delete(key);
        throw error;
      });
    cached.set(key, bundle);
  }
  return bundle;
}

/**
 * Modules loaded once per worker and shared by its workflows (the SDK's
 * `preloadModules`) instead of evaluated again for each workflow: Flock's
 * sandbox libraries, which keep no state of a run at module scope (their
 * module-level values are frozen on load; a run's state lives in its
 * workflow function). Saves each cached run ~100 KiB and each new run the
 * evaluation of ~40 modules.
 */
export function flockPreloadModules(): string[] {
  return ['@flock-ts/contracts', '@flock-ts/engine', '@flock-ts/config/sandbox', '@flock-ts/serialization/sandbox', 'superjson'].map((name) => require.resolve(name));
}

const INLINE_MAP_COMMENT = '//# sourceMappingURL=data:';
const MAP_COMMENT = '//# sourceMappingURL=';

/**
 * The form `Worker.create` and `Worker.runReplayHistory` take
 * (`workflowBundle`): the code with its source map inlined again. Temporal's
 * SDK reads the map only from a trailing data-URL comment of the code (it
 * maps workflow stack traces with it) and refuses code without one.
 *
 * @example
 * await Worker.runReplayHistory({ workflowBundle: inlineSourceMap(await bundleFlockWorkflows()), sinks: flockWorkflowSinks() }, history);
 */
export function inlineSourceMap(bundle: FlockWorkflowBundle): WorkflowBundle {
  // bundles are cached per variant: their inlined form is built once, not for every worker that loads one
  let inlined = inlinedBundles.get(bundle);
  if (!inlined) {
    const base64 = Buffer.from(bundle.sourceMap, 'utf8').toString('base64');
    const code = bundle.code.endsWith('\n') ? bundle.code : `${bundle.code}\n`;
    inlined = { code: `${code}${INLINE_MAP_COMMENT}application/json;charset=utf-8;base64,${base64}\n` };
    inlinedBundles.set(bundle, inlined);
  }
  return inlined;
}

const inlinedBundles = new WeakMap<FlockWorkflowBundle, WorkflowBundle>();

/**
 * Reads a prebuilt workflow bundle file for `Worker.create`: code whose
 * `//# sourceMappingURL=` names a map file beside it (what `flock-worker`
 * ships) comes back with that map inlined and the file's absolute path as
 * the map's `file` (the name workflow stack traces show), without the
 * sources' text (`sourcesContent`, two thirds of the map: stack traces need
 * only the mappings, and the SDK decodes whatever it is given at every
 * worker start); a file with an inline map is left to the SDK to read.
 *
 * @example
 * await Worker.create({ ...options, workflowBundle: await loadWorkflowBundle('dist/workflow-bundle.js') });
 */
export async function loadWorkflowBundle(codePath: string): Promise<WorkflowBundle | WorkflowBundlePath> {
  const file = path.resolve(codePath);
  const code = await readFile(file, 'utf8');
  const at = code.lastIndexOf(MAP_COMMENT);
  const url = at < 0 ? undefined : /^\S+/.exec(code.slice(at + MAP_COMMENT.length))?.[0];
  // inline, or no map at all (the SDK refuses that, saying so)
  if (!url || url.startsWith('data:')) return { codePath: file };
  const map = JSON.parse(await readFile(path.resolve(path.dirname(file), decodeURI(url)), 'utf8')) as { file?: string; sourcesContent?: unknown };
  map.file = file;
  delete map.sourcesContent;
  return inlineSourceMap({ code: code.slice(0, at), sourceMap: JSON.stringify(map) });
}

/** Cuts the SDK's inline source map (devtool `inline-source-map`) out of the bundled code. */
function splitSourceMap(code: string): FlockWorkflowBundle {
  const at = code.lastIndexOf(INLINE_MAP_COMMENT);
  const data = at < 0 ? -1 : code.indexOf('base64,', at);
  if (data < 0) throw new Error('The workflow bundler wrote no inline source map: is @temporalio/worker still 1.24?');
  return {
    code: code.slice(0, at),
    sourceMap: Buffer.from(code.slice(data + 'base64,'.length).trim(), 'base64').toString('utf8'),
  };
}

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type WebpackPlugin = Exclude<Extract<NonNullable<WebpackConfig['plugins']>[number], object>, (...args: never[]) => unknown>;
type WebpackCompiler = Parameters<WebpackPlugin['apply']>[0];

const PLUGIN = 'FlockWorkflowBundle';
const SEMANTIC_CONVENTIONS = '@opentelemetry/semantic-conventions';

/**
 * The Flock settings on top of the SDK's webpack configuration: sources
 * condition, one copy of the OpenTelemetry semantic conventions, no
 * comments or whitespace in the code.
 */
function flockWebpackConfig(config: WebpackConfig): WebpackConfig {
  withSourceCondition(config);
  config.plugins = [...(config.plugins ?? []), dedupeSemanticConventions, stripComments];
  // an import of a name the (deduplicated) module lacks fails the build instead of reading undefined
  config.module = config.module ?? {};
  config.module.rules = [...(config.module.rules ?? []), { test: /[\\/]node_modules[\\/]@opentelemetry[\\/]/, parser: { exportsPresence: 'error' } }];
  // no `/*! ./path */` comment per require
  config.output = { ...config.output, pathinfo: false };
  return config;
}

/**
 * `@opentelemetry/{core,resources,sdk-trace-base}` 1.x pin their own
 * semantic-conventions (1.28, nested under each), three copies of the same
 * constants; they read only names the top-level copy still exports
 * (`SEMRESATTRS_*`, `SEMATTRS_EXCEPTION_*`, `TELEMETRYSDKLANGUAGEVALUES_*`;
 * the `exportsPresence` rule fails the build otherwise). Their import
 * resolves as if made from beside their package, where the top-level copy
 * is, through its package exports (its ESM build, so only the modules that
 * hold the names come in). A `resolve.alias` to the package directory
 * would pick its CommonJS `main`, every module of it.
 */
const dedupeSemanticConventions: WebpackPlugin = {
  apply(compiler: WebpackCompiler) {
    compiler.hooks.normalModuleFactory.tap(PLUGIN, (factory) => {
      factory.hooks.beforeResolve.tap(PLUGIN, (request) => {
        if (request.request !== SEMANTIC_CONVENTIONS) return;
        const owner = /^(.*)[\\/]node_modules[\\/]@opentelemetry[\\/][^\\/]+(?=[\\/]|$)/.exec(request.context);
        if (owner?.[1] && existsSync(path.join(owner[1], 'node_modules', SEMANTIC_CONVENTIONS))) request.context = owner[1];
      });
    });
  },
};

/** What this module uses of `@swc/core`. */
interface SwcMinifier {
  minify(code: string, options: { compress: false; mangle: false; format: { comments: 'some' }; sourceMap: true }): Promise<{ code: string; map?: string }>;
}

/**
 * Prints the bundle again without comments and whitespace: no compression,
 * no renaming. About half the code is comments (the semantic conventions
 * are mostly documentation). swc comes with the SDK (its loader compiles
 * TypeScript workflows); the source maps are chained, so the bundle's map
 * still leads to the sources.
 */
const stripComments: WebpackPlugin = {
  apply(compiler: WebpackCompiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.compilation.tap(PLUGIN, (compilation) => {
      compilation.hooks.processAssets.tapPromise({ name: PLUGIN, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE }, async () => {
        const swc = createRequire(require.resolve('@temporalio/worker'))('@swc/core') as SwcMinifier;
        for (const asset of compilation.getAssets()) {
          if (!asset.name.endsWith('.js')) continue;
          const { source, map } = asset.source.sourceAndMap();
          const input = source.toString();
          const printed = await swc.minify(input, { compress: false, mangle: false, format: { comments: 'some' }, sourceMap: true });
          // the printed code maps to the asset, whose own map (chained in) leads to the sources
          const printedMap = JSON.parse(printed.map ?? '{}') as { sources?: string[]; sourcesContent?: unknown };
          printedMap.sources = [asset.name];
          delete printedMap.sourcesContent;
          compilation.updateAsset(asset.name, new sources.SourceMapSource(printed.code, asset.name, JSON.stringify(printedMap), input, map ?? undefined, true));
        }
      });
    });
  },
};

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
