import vm from 'node:vm';
import { bundleFlockWorkflows } from './workflow-bundle';

// Temporal's reusable V8 context evaluates the bundle once, then every
// module a workflow imports again for each workflow (its module cache is
// per workflow). These tests load a Flock bundle the same way and list
// what one workflow evaluates: the cost every run pays in CPU and in
// memory while it is cached.

/** Ids of the modules one workflow evaluates for itself (the SDK's `importWorkflows` and `importInterceptors`). */
function modulesEvaluatedPerWorkflow(code: string): string[] {
  const shared = new Map<string | symbol, unknown>();
  // undefined while the bundle loads (shared modules), then the cache of the one workflow
  let perWorkflow: Map<string | symbol, unknown> | undefined = undefined;
  const context = vm.createContext({ console, TextEncoder, TextDecoder, URL, URLSearchParams, AbortController, performance, assert: () => undefined });
  // the SDK routes webpack's module cache through this global: shared while the bundle loads, per workflow after
  context['__webpack_module_cache__'] = new Proxy(
    {},
    {
      get: (_, id) => shared.get(id) ?? perWorkflow?.get(id),
      set: (_, id, module) => ((perWorkflow ?? shared).set(id, module), true),
    },
  );
  new vm.Script(code).runInContext(context);
  const api = context['__TEMPORAL__'] as { importWorkflows(): unknown; importInterceptors(): unknown; preloadModules?(): unknown };
  // the SDK loads the bundle's preloaded modules into the shared cache before any workflow
  api.preloadModules?.();
  perWorkflow = new Map();
  api.importWorkflows();
  api.importInterceptors();
  return [...perWorkflow.keys()].map(String);
}

// bundling takes seconds on a busy machine
const BUNDLE_TIMEOUT_MS = 120_000;

describe('modules a Flock workflow evaluates for itself', () => {
  it(
    'builds no zod schema and loads no config schema module (lean and traced bundles)',
    async () => {
      for (const tracing of [false, true]) {
        const modules = modulesEvaluatedPerWorkflow((await bundleFlockWorkflows({ tracing })).code);
        expect(modules.filter((id) => /(^|\/)workflows\/src\/index\.ts$/.test(id))).toHaveLength(1);
        expect(modules.filter((id) => /node_modules\/zod\//.test(id))).toEqual([]);
        expect(modules.filter((id) => /(^|\/)config\/src\/(index|lib\/(definitions|temporal-config|signature))\.ts$/.test(id))).toEqual([]);
        expect(modules.filter((id) => /(^|\/)contracts\/src\/lib\/wire-schemas\.ts$/.test(id))).toEqual([]);
      }
    },
    BUNDLE_TIMEOUT_MS,
  );

  it(
    'evaluates only the workflow functions; the sandbox libraries are loaded once per worker (preloaded)',
    async () => {
      const lean = modulesEvaluatedPerWorkflow((await bundleFlockWorkflows({ tracing: false })).code);
      expect(lean.filter((id) => !/(^|\/)workflows\/src\//.test(id))).toEqual([]);
    },
    BUNDLE_TIMEOUT_MS,
  );

  it(
    'evaluates no OpenTelemetry code without tracing',
    async () => {
      const lean = modulesEvaluatedPerWorkflow((await bundleFlockWorkflows({ tracing: false })).code);
      const traced = modulesEvaluatedPerWorkflow((await bundleFlockWorkflows({ tracing: true })).code);
      expect(lean.filter((id) => id.includes('opentelemetry'))).toEqual([]);
      expect(traced.filter((id) => id.includes('opentelemetry')).length).toBeGreaterThan(0);
    },
    BUNDLE_TIMEOUT_MS,
  );
});
