import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { flocksFromModule, isFlockLike, loadFlockModules, resolveFlockModule, type ModuleImporter } from './flock-module';

const fakeFlock = (name: string) => ({ name, toDefinition: () => ({ name }), agent: () => undefined });
// Jest runs modules through its own registry; the worker itself uses import().
const jestImport: ModuleImporter = async (file) => require(file);

let dir: string;

function write(relative: string, source: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  return file;
}

const flockSource = (name: string) => `{ name: '${name}', toDefinition() { return { name: '${name}' }; }, agent() {} }`;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-module-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('isFlockLike', () => {
  it('accepts objects with a name, toDefinition() and agent()', () => {
    expect(isFlockLike(fakeFlock('a'))).toBe(true);
  });

  it.each([[null], ['flock'], [{ name: 'a' }], [{ name: 'a', toDefinition: () => ({}) }]])('rejects %p', (value) => {
    expect(isFlockLike(value)).toBe(false);
  });
});

describe('flocksFromModule', () => {
  it('finds a default export', () => {
    const a = fakeFlock('a');
    expect(flocksFromModule({ default: a })).toEqual([a]);
  });

  it('finds a "flock" export', () => {
    const a = fakeFlock('a');
    expect(flocksFromModule({ flock: a, other: 1 })).toEqual([a]);
  });

  it('finds every flock of a "flocks" array, in order', () => {
    const [a, b] = [fakeFlock('a'), fakeFlock('b')];
    expect(flocksFromModule({ flocks: [a, b] })).toEqual([a, b]);
  });

  it('finds CommonJS exports nested under default, once each', () => {
    const a = fakeFlock('a');
    expect(flocksFromModule({ default: { flock: a }, flock: a })).toEqual([a]);
  });

  it('finds a module whose exports are the flock itself', () => {
    const a = fakeFlock('a');
    expect(flocksFromModule({ default: a, ...a })).toEqual([a]);
  });

  it('ignores other exports', () => {
    expect(flocksFromModule({ helper: () => 1, config: { name: 'x' } })).toEqual([]);
  });
});

describe('resolveFlockModule', () => {
  it('resolves a relative path from the working directory', () => {
    const file = write('flocks/a.js', 'module.exports = {};');
    expect(resolveFlockModule('./flocks/a.js', dir)).toBe(file);
  });

  it('resolves a package name from the working directory', () => {
    write('node_modules/my-flocks/package.json', JSON.stringify({ name: 'my-flocks', main: 'main.js' }));
    const file = write('node_modules/my-flocks/main.js', 'module.exports = {};');
    expect(resolveFlockModule('my-flocks', dir)).toBe(file);
  });

  it('names the missing file', () => {
    expect(() => resolveFlockModule('./missing.js', dir)).toThrow(
      expect.objectContaining({
        name: 'FlockModuleError',
        code: 'FLOCK_MODULE_NOT_FOUND',
        specifier: './missing.js',
        message: `Flock module ./missing.js not found: no file at ${path.join(dir, 'missing.js')}`,
      }),
    );
  });

  it('names a package that cannot be resolved', () => {
    expect(() => resolveFlockModule('no-such-flock-package', dir)).toThrow(
      expect.objectContaining({ code: 'FLOCK_MODULE_NOT_FOUND', message: expect.stringContaining(`resolvable from ${dir}`) }),
    );
  });
});

describe('loadFlockModules', () => {
  it('loads the flocks of every module in order', async () => {
    write('a.js', `module.exports = { flock: ${flockSource('a')} };`);
    write('b.js', `module.exports = { flocks: [${flockSource('b')}, ${flockSource('c')}] };`);
    const flocks = await loadFlockModules(['./a.js', './b.js'], dir, jestImport);
    expect(flocks.map((flock) => flock.name)).toEqual(['a', 'b', 'c']);
  });

  it('reports a module that exports no flock, listing what it exports', async () => {
    write('none.js', 'module.exports = { helper() {}, version: 1 };');
    await expect(loadFlockModules(['./none.js'], dir, jestImport)).rejects.toMatchObject({
      code: 'FLOCK_MODULE_INVALID',
      message: 'Flock module ./none.js exports no Flock: export one as "default" or "flock", or several as "flocks" (it exports: helper, version)',
    });
  });

  it('reports a module that throws while loading, with its error', async () => {
    write('broken.js', "throw new Error('missing OPENAI_API_KEY');");
    await expect(loadFlockModules(['./broken.js'], dir, jestImport)).rejects.toMatchObject({
      code: 'FLOCK_MODULE_LOAD_FAILED',
      message: expect.stringContaining('missing OPENAI_API_KEY'),
    });
  });

  it('hints at compiling when a TypeScript module fails to load', async () => {
    write('flock.ts', 'export const flock = 1;');
    const failing: ModuleImporter = async () => {
      throw new Error('Unknown file extension ".ts"');
    };
    await expect(loadFlockModules(['./flock.ts'], dir, failing)).rejects.toMatchObject({
      message: expect.stringContaining('TypeScript modules need a compiled .js file, or node --import tsx'),
    });
  });

  it('rejects two different flocks with the same name', async () => {
    write('a.js', `module.exports = { flock: ${flockSource('same')} };`);
    write('b.js', `module.exports = { flock: ${flockSource('same')} };`);
    await expect(loadFlockModules(['./a.js', './b.js'], dir, jestImport)).rejects.toMatchObject({
      code: 'FLOCK_MODULE_INVALID',
      specifier: './b.js',
    });
  });
});
