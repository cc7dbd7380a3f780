import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFlockWorkflows, inlineSourceMap, loadWorkflowBundle, type FlockWorkflowBundle } from './workflow-bundle';

/** What the SDK does with `workflowBundle.code` (worker.js extractSourceMap): the map from the trailing data URL. */
function sdkReadsMap(code: string): string {
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  const data = code.indexOf('base64,', at);
  if (at < 0 || data < 0) throw new Error("Can't extract inlined source map");
  return Buffer.from(code.slice(data + 'base64,'.length).trimEnd(), 'base64').toString();
}

const VARIANTS = [
  { encodeFailures: false, tracing: false },
  { encodeFailures: false, tracing: true },
  { encodeFailures: true, tracing: false },
  { encodeFailures: true, tracing: true },
] as const;

describe('bundleFlockWorkflows', () => {
  const bundles = new Map<string, FlockWorkflowBundle>();
  const name = (variant: (typeof VARIANTS)[number]) => `${variant.encodeFailures ? 'encoded-failures' : 'plain'}, ${variant.tracing ? 'traced' : 'lean'}`;

  beforeAll(async () => {
    // one after the other: four webpack runs at once are heavy on a small machine
    for (const variant of VARIANTS) bundles.set(name(variant), await bundleFlockWorkflows(variant));
  }, 240_000);

  it.each(VARIANTS.map((variant) => [name(variant), variant] as const))('%s: code without the source map, the map apart, under 2,000,000 bytes', (key) => {
    const bundle = bundles.get(key) as FlockWorkflowBundle;
    const has = (needle: string) => bundle.code.includes(needle); // (a failed toContain would print a megabyte)
    expect(has('sourceMappingURL=data:')).toBe(false);
    expect(has('//# sourceMappingURL=')).toBe(false);
    const map = JSON.parse(bundle.sourceMap) as { version: number; sources: string[]; mappings: string };
    expect(map.version).toBe(3);
    expect(map.mappings.length).toBeGreaterThan(0);
    // chained through the comment-free reprint: the map still leads to the workflow sources
    expect(map.sources.some((source) => /flock-workflow-v2\.[jt]s$/.test(source))).toBe(true);
    expect(Buffer.byteLength(bundle.code)).toBeLessThanOrEqual(2_000_000);
    // reprinted, not mangled: workflow and error class names as written
    expect(has('async function FlockWorkflowV2(')).toBe(true);
    expect(has('class FlockRunFailedError extends ')).toBe(true);
    expect(has('flock-superjson')).toBe(true);
  });

  it('leaves the OpenTelemetry workflow interceptors (and all OpenTelemetry code) out of the lean variants', () => {
    for (const variant of VARIANTS) {
      const { code } = bundles.get(name(variant)) as FlockWorkflowBundle;
      const modules = {
        interceptors: code.includes('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js'),
        openTelemetry: code.includes('@opentelemetry/'),
      };
      expect({ variant, modules }).toEqual({ variant, modules: { interceptors: variant.tracing, openTelemetry: variant.tracing } });
    }
  });

  it('holds one copy of the OpenTelemetry semantic conventions in the traced variants', () => {
    const { code } = bundles.get(name({ encodeFailures: false, tracing: true })) as FlockWorkflowBundle;
    expect(/"[./]*node_modules\/@opentelemetry\/semantic-conventions\//.test(code)).toBe(true);
    expect(/node_modules\/@opentelemetry\/[^/"]+\/node_modules\/@opentelemetry\/semantic-conventions/.test(code)).toBe(false);
  });

  it('bundles each variant once per process', async () => {
    expect(bundleFlockWorkflows({ tracing: false })).toBe(bundleFlockWorkflows({ tracing: false, encodeFailures: false }));
    expect(bundleFlockWorkflows()).toBe(bundleFlockWorkflows({ tracing: true }));
    expect(bundleFlockWorkflows({ tracing: false })).not.toBe(bundleFlockWorkflows({ tracing: true }));
    expect(await bundleFlockWorkflows({ encodeFailures: true, tracing: false })).toBe(bundles.get('encoded-failures, lean'));
  });
});

describe('inlineSourceMap', () => {
  it('puts the map back where the SDK reads it', () => {
    const sourceMap = JSON.stringify({ version: 3, file: 'b.js', sources: ['a.ts'], names: [], mappings: 'AAAA' });
    const { code } = inlineSourceMap({ code: 'var x = 1;\n', sourceMap });
    expect(code.startsWith('var x = 1;\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,')).toBe(true);
    expect(sdkReadsMap(code)).toBe(sourceMap);
  });

  it('encodes a bundle once, however many workers load it', () => {
    const bundle = { code: 'var x = 1;\n', sourceMap: '{"version":3}' };
    expect(inlineSourceMap(bundle)).toBe(inlineSourceMap(bundle));
  });
});

describe('loadWorkflowBundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'workflow-bundle-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('inlines the map a bundle file names, with the file as its `file` and without the sources text', async () => {
    writeFileSync(path.join(dir, 'b.js'), 'var x = 1;\n//# sourceMappingURL=b.js.map\n');
    writeFileSync(path.join(dir, 'b.js.map'), JSON.stringify({ version: 3, file: 'b.js', sources: ['a.ts'], sourcesContent: ['const x = 1;'], names: [], mappings: 'AAAA' }));
    const bundle = await loadWorkflowBundle(path.relative(process.cwd(), path.join(dir, 'b.js')));
    if (!('code' in bundle)) throw new Error('expected code');
    expect(bundle.code.startsWith('var x = 1;\n//# sourceMappingURL=data:')).toBe(true);
    expect(JSON.parse(sdkReadsMap(bundle.code))).toEqual({ version: 3, file: path.join(dir, 'b.js'), sources: ['a.ts'], names: [], mappings: 'AAAA' });
  });

  it('leaves a bundle with an inline map (or none) to the SDK, by its absolute path', async () => {
    writeFileSync(path.join(dir, 'inline.js'), inlineSourceMap({ code: 'var x = 1;\n', sourceMap: '{"version":3}' }).code);
    writeFileSync(path.join(dir, 'bare.js'), 'var x = 1;\n');
    expect(await loadWorkflowBundle(path.join(dir, 'inline.js'))).toEqual({ codePath: path.join(dir, 'inline.js') });
    expect(await loadWorkflowBundle(path.join(dir, 'bare.js'))).toEqual({ codePath: path.join(dir, 'bare.js') });
  });

  it('fails naming the map file when it is missing', async () => {
    writeFileSync(path.join(dir, 'b.js'), 'var x = 1;\n//# sourceMappingURL=b.js.map\n');
    await expect(loadWorkflowBundle(path.join(dir, 'b.js'))).rejects.toThrow(path.join(dir, 'b.js.map'));
  });
});
