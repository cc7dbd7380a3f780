// What publishing relies on, checked on the repository's own files: every published package carries the
// root's MIT LICENSE, `nx release` versions exactly the published packages together, the changelog keeps
// this repository's commit subjects, `prepack` refuses a package without its build, and the two CLIs run
// from a launcher that works before any build (inside this repository) and from the build (installed).
import { workspaceRoot as ROOT } from '@nx/devkit';
import { findMatchingProjects } from '@nx/devkit/internal';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  name: string;
  version: string;
  license?: string;
  private?: unknown;
  bin?: Record<string, string>;
  files?: string[];
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as T;
const rootManifest = readJson<Manifest & { workspaces: string[] }>('package.json');

/** Every workspace of the root package.json (`packages/*`, `apps/*`, `tools`). */
function workspaces(): Workspace[] {
  return rootManifest.workspaces.flatMap((pattern) => {
    const dirs = pattern.endsWith('/*') ? readdirSync(join(ROOT, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`) : [pattern];
    return dirs.filter((dir) => existsSync(join(ROOT, dir, 'package.json'))).map((dir) => ({ dir, manifest: readJson<Manifest>(`${dir}/package.json`) }));
  });
}

const published = workspaces().filter(({ manifest }) => !manifest.private);
const PREPACK_CHECK = join(ROOT, 'tools', 'scripts', 'prepack-check.mjs');
/** Scratch folders inside the repository (tmp/ is ignored by git), where tsx resolves as it does for apps/worker. */
function scratch(prefix: string): string {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, 'tmp', prefix));
}

describe('published packages', () => {
  it('are the workspaces under packages/ and apps/; tools is private', () => {
    expect(published.map(({ dir }) => dir.split('/')[0])).toEqual(published.map(() => expect.stringMatching(/^(packages|apps)$/)));
    expect(published.map(({ manifest }) => manifest.name)).toEqual(expect.arrayContaining(['@flock-ts/core', '@flock-ts/worker', '@flock-ts/starter']));
    expect(published.map(({ manifest }) => manifest.name)).not.toContain('@flock-ts/tools');
  });

  it('each holds a LICENSE with the root MIT text and says "license": "MIT"', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The Flock for TypeScript authors\n/);
    const wrong = published
      .filter(({ dir, manifest }) => manifest.license !== 'MIT' || !existsSync(join(ROOT, dir, 'LICENSE')) || readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8') !== license)
      .map(({ dir }) => dir);
    expect(wrong).toEqual([]);
  });

  it('each packs only after a prepack check of its build; the worker also needs its four workflow bundles', () => {
    for (const { manifest } of published) expect(manifest.scripts?.['prepack']).toMatch(/^node \.\.\/\.\.\/tools\/scripts\/prepack-check\.mjs( |$)/);
    const worker = published.find(({ manifest }) => manifest.name === '@flock-ts/worker');
    expect(worker?.manifest.scripts?.['prepack']?.split(' ').slice(2).sort()).toEqual(
      [
        'dist/main.js',
        'dist/workflow-bundle.encoded-failures.js',
        'dist/workflow-bundle.encoded-failures.traced.js',
        'dist/workflow-bundle.js',
        'dist/workflow-bundle.traced.js',
      ].sort(),
    );
  });
});

describe('nx release (nx.json)', () => {
  const release = readJson<{
    release: {
      projects: string[];
      projectsRelationship: string;
      version: { currentVersionResolver: string; conventionalCommits: boolean };
      conventionalCommits: { types: Record<string, unknown> };
    };
  }>('nx.json').release;

  it('versions exactly the published packages, all together, from the versions on disk', () => {
    const projects = Object.fromEntries(workspaces().map(({ dir, manifest }) => [manifest.name, { data: { root: dir, tags: [] } }]));
    expect(findMatchingProjects(release.projects, projects).sort()).toEqual(published.map(({ manifest }) => manifest.name).sort());
    expect(release.projectsRelationship).toBe('fixed');
    expect(release.version).toMatchObject({ currentVersionResolver: 'disk', conventionalCommits: false });
  });

  it("keeps commit subjects that start with a package's folder name, and subjects without a prefix, in the changelog", () => {
    const types = release.conventionalCommits.types;
    const shown = (type: unknown) => type === true || (typeof type === 'object' && type !== null && (type as { changelog?: { hidden?: boolean } }).changelog?.hidden !== true);
    const missing = published.map(({ dir }) => dir.split('/')[1]).filter((area) => !shown(types[area ?? '']));
    expect(missing).toEqual([]);
    expect(types['__INVALID__']).toEqual({ changelog: { title: 'Changes', hidden: false } });
  });
});

describe('prepack-check.mjs', () => {
  let dir: string;
  const manifest = {
    name: '@flock-ts/fixture',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: { '.': { '@flock-ts/source': './src/index.ts', default: './dist/index.js' } },
  };
  const check = (...files: string[]) => spawnSync(process.execPath, [PREPACK_CHECK, ...files], { cwd: dir, encoding: 'utf8' });

  beforeEach(() => {
    dir = scratch('prepack-check-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to pack without the build, naming the missing files and the build command', () => {
    const run = check();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('@flock-ts/fixture: not packing, the build is missing dist/index.js, dist/index.d.ts: run npx nx run-many -t build first');
  });

  it('passes once the files main, types and exports name exist (the source condition is not shipped)', () => {
    mkdirSync(join(dir, 'dist'));
    for (const file of ['index.js', 'index.d.ts']) writeFileSync(join(dir, 'dist', file), '');
    expect(check().status).toBe(0);
  });

  it('requires the extra files it is given too', () => {
    mkdirSync(join(dir, 'dist'));
    for (const file of ['index.js', 'index.d.ts']) writeFileSync(join(dir, 'dist', file), '');
    const run = check('dist/workflow-bundle.js');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('missing dist/workflow-bundle.js');
  });
});

describe('flock-worker and flockctl launchers', () => {
  const apps = published.filter(({ manifest }) => manifest.bin);

  it('are the bins of the worker and starter apps, shipped in "files", linked at the root by devDependencies that match any version', () => {
    expect(apps.map(({ manifest }) => manifest.bin)).toEqual([{ flockctl: './bin/flockctl.js' }, { 'flock-worker': './bin/flock-worker.js' }]);
    for (const { manifest } of apps) {
      expect(manifest.files).toContain('bin');
      // "*": a release's new version still matches, so npm keeps linking the workspace
      expect(rootManifest.devDependencies?.[manifest.name]).toBe('*');
    }
  });

  it('are the same file but for the command names', () => {
    const [starter, worker] = ['apps/starter/bin/flockctl.js', 'apps/worker/bin/flock-worker.js'].map((file) => readFileSync(join(ROOT, file), 'utf8'));
    const neutral = (text: string) => text.replace(/flock-worker|flockctl/g, 'CLI').replace(/apps\/(worker|starter)\/bin\/CLI\.js/g, 'OTHER');
    expect(neutral(starter ?? '')).toBe(neutral(worker ?? ''));
  });

  describe('in a package folder', () => {
    let pkg: string;
    const launcher = (args: string[]) => spawn(process.execPath, [join(pkg, 'bin', 'flock-worker.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const finish = (child: ReturnType<typeof launcher>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });

    beforeEach(() => {
      pkg = scratch('launcher-');
      mkdirSync(join(pkg, 'bin'));
      cpSync(join(ROOT, 'apps/worker/bin/flock-worker.js'), join(pkg, 'bin', 'flock-worker.js'));
      chmodSync(join(pkg, 'bin', 'flock-worker.js'), 0o755);
      mkdirSync(join(pkg, 'src'));
      writeFileSync(
        join(pkg, 'src', 'main.ts'),
        [
          "const conditions: string[] = process.execArgv.filter((arg) => arg.startsWith('--conditions'));",
          "console.log(`source ${JSON.stringify(process.argv.slice(2))} ${conditions.join(' ')}`);",
          "if (process.argv.includes('--wait')) {",
          "  process.on('SIGTERM', () => {",
          "    console.log('source got SIGTERM');",
          '    process.exit(0);',
          '  });',
          "  console.log('ready');",
          '  setInterval(() => undefined, 1000);',
          '} else {',
          '  process.exitCode = 3;',
          '}',
        ].join('\n'),
      );
    });
    afterEach(() => rmSync(pkg, { recursive: true, force: true }));

    it('runs the build when there is one, with the arguments', async () => {
      mkdirSync(join(pkg, 'dist'));
      writeFileSync(join(pkg, 'dist', 'main.js'), "console.log('built ' + JSON.stringify(process.argv.slice(2)));");
      expect(await finish(launcher(['--version']))).toEqual({ code: 0, out: 'built ["--version"]\n' });
    });

    it('runs the TypeScript source with the @flock-ts/source condition before a build, forwarding arguments and exit code', async () => {
      expect(await finish(launcher(['--flock', './x.js']))).toEqual({ code: 3, out: 'source ["--flock","./x.js"] --conditions=@flock-ts/source\n' });
    });

    it('passes SIGTERM on to the source process, which decides how to exit', async () => {
      const child = launcher(['--wait']);
      const result = finish(child);
      await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
      child.kill('SIGTERM');
      const { code, out } = await result;
      expect(out).toContain('source got SIGTERM');
      expect(code).toBe(0);
    });
  });
});
