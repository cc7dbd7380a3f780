import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The monorepo root: the nearest folder above `from` holding `nx.json`.
 * Found by walking up rather than by a fixed `../..` so the same code works
 * from sources (tsx, Jest) and from `dist/`.
 *
 * @example
 * const root = findWorkspaceRoot(); // the folder holding nx.json
 */
export function findWorkspaceRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No nx.json found above ${from}`);
    dir = parent;
  }
}

/**
 * Where the project keeps the Temporal binaries it installs and the dev
 * server's database: `FLOCK_TEMPORAL_CACHE_DIR`, else `<repo>/.cache/temporal`
 * (ignored by git).
 *
 * @example
 * const db = join(defaultCacheDir(), 'dev-server.db');
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['FLOCK_TEMPORAL_CACHE_DIR'];
  return fromEnv ? resolve(fromEnv) : join(findWorkspaceRoot(), '.cache', 'temporal');
}
