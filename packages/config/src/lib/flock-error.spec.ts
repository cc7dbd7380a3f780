import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { FlockConfigError, SignatureSyntaxError } from './errors';
import { FlockError, isFlockError } from './flock-error';

type ErrorModule = typeof import('./flock-error') & typeof import('./errors');

/** This package's error modules evaluated again in a new V8 context: another realm, as the workflow sandbox is. */
function loadInNewRealm(): ErrorModule {
  const modules: Record<string, Record<string, unknown>> = {};
  const load = (name: string): Record<string, unknown> => {
    if (modules[name]) return modules[name];
    const source = readFileSync(join(__dirname, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    const module = { exports: {} as Record<string, unknown> };
    modules[name] = module.exports;
    runInNewContext(outputText, { module, exports: module.exports, require: (id: string) => load(id.replace('./', '')) });
    return module.exports;
  };
  return { ...load('flock-error'), ...load('errors') } as unknown as ErrorModule;
}

/** A second copy of the modules in this realm, as two installed copies of the package are. */
function loadAnotherCopy(): ErrorModule {
  let copy: ErrorModule | undefined;
  jest.isolateModules(() => {
    copy = { ...require('./flock-error'), ...require('./errors') } as ErrorModule;
  });
  return copy as ErrorModule;
}

describe('FlockError', () => {
  it('carries a code, a message, a cause and details; retryable unless it says otherwise', () => {
    const cause = new Error('disk full');
    const error = new FlockError('SOMETHING', 'it failed', { cause, details: { path: 'a.b' } });
    expect(error).toMatchObject({
      name: 'FlockError',
      code: 'SOMETHING',
      message: 'it failed',
      nonRetryable: false,
      details: { path: 'a.b' },
    });
    expect(error.cause).toBe(cause);
    expect(new FlockError('SOMETHING', 'no', { nonRetryable: true }).nonRetryable).toBe(true);
  });

  it('decides nonRetryable in the error class itself', () => {
    expect(new FlockConfigError('flock', []).nonRetryable).toBe(true);
    expect(new SignatureSyntaxError('a ->', 3, 'missing output').nonRetryable).toBe(true);
  });

  it('names each subclass on its prototype, and instanceof tells the classes apart', () => {
    const error = new FlockConfigError('flock', [{ path: 'name', message: 'required' }]);
    expect(error.name).toBe('FlockConfigError');
    expect(error).toBeInstanceOf(FlockError);
    expect(error).toBeInstanceOf(Error);
    expect(error instanceof FlockConfigError).toBe(true);
    expect(error instanceof SignatureSyntaxError).toBe(false);
    expect(new FlockError('X', 'x') instanceof FlockConfigError).toBe(false);
    expect(String(error)).toMatch(/^FlockConfigError: Invalid flock/);
  });

  it('matches instances of a second copy of the package', () => {
    const copy = loadAnotherCopy();
    expect(copy.FlockConfigError).not.toBe(FlockConfigError);
    const theirs = new copy.FlockConfigError('flock', []);
    expect(theirs instanceof FlockConfigError).toBe(true);
    expect(theirs instanceof FlockError).toBe(true);
    expect(theirs instanceof SignatureSyntaxError).toBe(false);
    expect(new FlockConfigError('flock', []) instanceof copy.FlockConfigError).toBe(true);
    expect(isFlockError(theirs, 'INVALID_CONFIG')).toBe(true);
  });

  it('matches instances made in another realm, both ways', () => {
    const realm = loadInNewRealm();
    const theirs = new realm.SignatureSyntaxError('a ->', 3, 'missing output');
    expect(theirs instanceof Error).toBe(false); // another realm's Error: plain instanceof would fail
    expect(theirs instanceof SignatureSyntaxError).toBe(true);
    expect(theirs instanceof FlockError).toBe(true);
    expect(theirs instanceof FlockConfigError).toBe(false);
    expect(new SignatureSyntaxError('a', 1, 'x') instanceof realm.SignatureSyntaxError).toBe(true);
    expect(new FlockError('X', 'x') instanceof realm.FlockError).toBe(true);
    expect(isFlockError(theirs, 'INVALID_SIGNATURE')).toBe(true);
  });

  it('keeps ordinary instanceof for a subclass that is not named', () => {
    class Unnamed extends FlockError<'UNNAMED'> {}
    expect(new Unnamed('UNNAMED', 'u') instanceof Unnamed).toBe(true);
    expect(new FlockError('UNNAMED', 'u') instanceof Unnamed).toBe(false);
    expect(new Unnamed('UNNAMED', 'u').name).toBe('FlockError');
  });
});

describe('isFlockError', () => {
  it('is true for a Flock error, with the given code when one is given', () => {
    const error = new FlockConfigError('flock', []);
    expect(isFlockError(error)).toBe(true);
    expect(isFlockError(error, 'INVALID_CONFIG')).toBe(true);
    expect(isFlockError(error, 'INVALID_SIGNATURE')).toBe(false);
  });

  it('is false for other values, even look-alikes', () => {
    expect(isFlockError(new Error('x'))).toBe(false);
    expect(isFlockError({ name: 'FlockConfigError', code: 'INVALID_CONFIG', message: 'x' })).toBe(false);
    expect(isFlockError(undefined)).toBe(false);
    expect(isFlockError('FlockError')).toBe(false);
  });
});
