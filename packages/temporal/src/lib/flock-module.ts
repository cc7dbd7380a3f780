import type { Flock } from '@flock-ts/core';
import { redactSecretsInText } from '@flock-ts/serialization';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlockModuleError } from './errors';

/** Loads a module by absolute file path; injectable so tests can use Jest's module system. */
export type ModuleImporter = (absolutePath: string) => Promise<unknown>;

const importByUrl: ModuleImporter = (absolutePath) => import(pathToFileURL(absolutePath).href);

/** True for values shaped like a `Flock` (duck-typed: a module may bring its own copy of core). */
export function isFlockLike(value: unknown): value is Flock {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'name' | 'toDefinition' | 'agent', unknown>>;
  return typeof candidate.name === 'string' && typeof candidate.toDefinition === 'function' && typeof candidate.agent === 'function';
}

/**
 * The flocks a module exports: `default` (a Flock or an array of them),
 * `flock`, or `flocks: Flock[]`. A CommonJS module's exports may sit under
 * `default` once imported, so both levels are searched.
 */
export function flocksFromModule(moduleNamespace: unknown): Flock[] {
  const found: Flock[] = [];
  const add = (value: unknown) => {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (isFlockLike(v) && !found.includes(v)) found.push(v);
  };
  const levels = [moduleNamespace, (moduleNamespace as { default?: unknown } | null)?.default];
  for (const level of levels) {
    if (typeof level !== 'object' || level === null) continue;
    const exports = level as Record<string, unknown>;
    for (const key of ['default', 'flock', 'flocks']) add(exports[key]);
  }
  // `module.exports = flock` loaded through require(): the exports are the flock
  if (found.length === 0 && isFlockLike(moduleNamespace)) found.push(moduleNamespace);
  return found;
}

/**
 * The absolute file a `--flock` specifier names: a path (relative to `cwd`)
 * or a package name resolved from `cwd`, as `require` would.
 */
export function resolveFlockModule(specifier: string, cwd: string): string {
  const looksLikePath = specifier.startsWith('.') || path.isAbsolute(specifier) || /\.[cm]?[jt]s$/.test(specifier);
  if (looksLikePath) {
    const file = path.resolve(cwd, specifier);
    if (!existsSync(file)) throw new FlockModuleError('FLOCK_MODULE_NOT_FOUND', specifier, `Flock module ${specifier} not found: no file at ${file}`);
    return file;
  }
  try {
    return createRequire(path.join(cwd, 'noop.js')).resolve(specifier);
  } catch (error) {
    throw new FlockModuleError(
      'FLOCK_MODULE_NOT_FOUND',
      specifier,
      `Flock module ${specifier} not found: it is neither a file nor a package resolvable from ${cwd} (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
}

/**
 * Loads `--flock` modules and returns every Flock they export, in order.
 * Throws a {@link FlockModuleError} naming the module and what is wrong with it.
 *
 * @example
 * const flocks = await loadFlockModules(['./flocks/research.js'], process.cwd());
 */
export async function loadFlockModules(specifiers: readonly string[], cwd: string, importModule: ModuleImporter = importByUrl): Promise<Flock[]> {
  const flocks: Flock[] = [];
  for (const specifier of specifiers) {
    const file = resolveFlockModule(specifier, cwd);
    let namespace: unknown;
    try {
      namespace = await importModule(file);
    } catch (error) {
      const hint = /\.[cm]?ts$/.test(file) ? ' (TypeScript modules need a compiled .js file, or node --import tsx)' : '';
      throw new FlockModuleError(
        'FLOCK_MODULE_LOAD_FAILED',
        specifier,
        // printed by flock-worker and flockctl: a module's own message may carry a credential
        `Flock module ${specifier} failed to load${hint}: ${redactSecretsInText((error as Error)?.message ?? String(error))}`,
        { cause: redactedCopy(error) },
      );
    }
    const found = flocksFromModule(namespace);
    if (found.length === 0) {
      const exported = Object.keys((namespace as object | null) ?? {}).join(', ') || 'nothing';
      throw new FlockModuleError(
        'FLOCK_MODULE_INVALID',
        specifier,
        `Flock module ${specifier} exports no Flock: export one as "default" or "flock", or several as "flocks" (it exports: ${exported})`,
      );
    }
    for (const flock of found) {
      const clash = flocks.find((known) => known.name === flock.name && known !== flock);
      if (clash) {
        throw new FlockModuleError('FLOCK_MODULE_INVALID', specifier, `Flock module ${specifier} exports a flock named "${flock.name}", which another module already exports`);
      }
      if (!flocks.includes(flock)) flocks.push(flock);
    }
  }
  return flocks;
}

/** The error with credentials cut out of its message and stack: what an import error may print (worker logs, CLI output). */
function redactedCopy(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redactSecretsInText(original.message));
  copy.name = original.name;
  copy.stack = redactSecretsInText(original.stack ?? `${original.name}: ${original.message}`);
  return copy;
}
