import { loadWorkflowBundle } from '@flock-ts/temporal/worker';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { WORKFLOW_BUNDLE_FILE, WORKFLOW_BUNDLE_VARIANTS, workflowBundleFile, writeWorkflowBundle } from './workflow-bundle-file';

describe('workflowBundleFile', () => {
  it('names the four shipped variants, the lean plain one as WORKFLOW_BUNDLE_FILE', () => {
    expect(WORKFLOW_BUNDLE_VARIANTS.map(workflowBundleFile)).toEqual([
      'workflow-bundle.js',
      'workflow-bundle.traced.js',
      'workflow-bundle.encoded-failures.js',
      'workflow-bundle.encoded-failures.traced.js',
    ]);
    expect(workflowBundleFile({ encodeFailures: false, tracing: false })).toBe(WORKFLOW_BUNDLE_FILE);
  });

  it('lists every variant and its map as outputs of the build (the Nx cache restores them) and ships dist', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
      files: string[];
      nx: { targets: Record<string, { outputs?: string[] }> };
    };
    const shipped = WORKFLOW_BUNDLE_VARIANTS.map(workflowBundleFile).flatMap((file) => [`{projectRoot}/dist/${file}`, `{projectRoot}/dist/${file}.map`]);
    expect(manifest.nx.targets['build']?.outputs).toEqual(expect.arrayContaining(shipped));
    expect(manifest.nx.targets['build-bundle']?.outputs).toEqual(shipped);
    expect(manifest.files).toContain('dist');
  });
});

describe('writeWorkflowBundle', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'workflow-bundle-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the code ending in its map reference, and the map beside it, as the worker loads them', async () => {
    const file = path.join(dir, 'out', 'workflow-bundle.js');
    const written = await writeWorkflowBundle(file, { tracing: false });
    expect(written).toMatchObject({ path: file, mapPath: `${file}.map` });
    const code = readFileSync(file, 'utf8');
    expect(code.endsWith('\n//# sourceMappingURL=workflow-bundle.js.map\n')).toBe(true);
    expect(code.includes('sourceMappingURL=data:')).toBe(false);
    expect(written.bytes).toBe(Buffer.byteLength(code));
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { file: string; sources: string[] };
    expect(map.file).toBe('workflow-bundle.js');
    expect(map.sources.some((source) => /flock-workflow-v2\.[jt]s$/.test(source))).toBe(true);

    const loaded = await loadWorkflowBundle(file);
    if (!('code' in loaded)) throw new Error('expected the code with its map inlined');
    expect(loaded.code.startsWith(code.slice(0, code.lastIndexOf('//# sourceMappingURL=')))).toBe(true);
    expect(loaded.code.includes('\n//# sourceMappingURL=data:application/json')).toBe(true);
  }, 120_000);
});
