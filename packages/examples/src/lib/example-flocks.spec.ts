import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COLLATZ_START_AGENT } from './collatz-flock';
import { flocks } from './example-flocks';

const packageRoot = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };

describe('flocks (the --flock module of the examples)', () => {
  it('holds the corpus-report and collatz flocks, without an executor', () => {
    expect(flocks.map((flock) => flock.name)).toEqual(['corpus-report', 'collatz']);
    expect(flocks.map((flock) => flock.enableTemporal)).toEqual([false, false]);
    expect(Object.isFrozen(flocks)).toBe(true);
  });

  it('are the flocks the factories build, ready to run', async () => {
    const collatz = flocks.find((flock) => flock.name === 'collatz');
    await expect(collatz?.run({ startAgent: COLLATZ_START_AGENT, input: { n: 6 } })).resolves.toMatchObject({ output: { n: 1, steps: 8 } });
  });

  it('is exported as "flocks" by the package and by its ./flocks subpath (the same array)', () => {
    // by package name on purpose: what is under test is the package's exports map
    // eslint-disable-next-line @nx/enforce-module-boundaries
    const fromIndex = require('@flock-ts/examples') as { flocks?: unknown };
    // eslint-disable-next-line @nx/enforce-module-boundaries
    const fromSubpath = require('@flock-ts/examples/flocks') as Record<string, unknown>;
    expect(fromIndex.flocks).toBe(flocks);
    expect(fromSubpath).toEqual({ flocks });
  });

  it('./flocks loads the two flocks alone, not the LLM SDK the package index brings (the model example)', () => {
    const loadsLlm = (entry: string) => {
      let loaded = false;
      jest.isolateModules(() => {
        jest.doMock('@flock-ts/llm', () => {
          loaded = true;
          return {};
        });
        require(entry);
      });
      jest.dontMock('@flock-ts/llm');
      return loaded;
    };
    expect(loadsLlm('../flocks')).toBe(false);
    expect(loadsLlm('../index')).toBe(true);
  });

  it.each(Object.entries(manifest.exports).filter(([subpath]) => subpath !== './package.json'))(
    'maps %s to the build of the source it names (dist/<name>.js and .d.ts for src/<name>.ts)',
    (_subpath, target) => {
      const { '@flock-ts/source': source, types, default: built } = target as Record<string, string>;
      const stem = source?.replace(/^\.\/src\//, '').replace(/\.ts$/, '');
      expect({ types, built }).toEqual({ types: `./dist/${stem}.d.ts`, built: `./dist/${stem}.js` });
      expect(existsSync(path.join(packageRoot, source as string))).toBe(true);
    },
  );
});
