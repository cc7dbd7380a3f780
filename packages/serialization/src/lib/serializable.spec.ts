import type { SerializationError } from './errors';
import { assertSerializable } from './serializable';

function failure(value: unknown, root?: string): SerializationError {
  try {
    assertSerializable(value, root);
  } catch (error) {
    expect((error as Error).name).toBe('SerializationError');
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError');
}

describe('assertSerializable', () => {
  it('accepts every type superjson keeps', () => {
    const shared = { a: 1 };
    const cyclic: Record<string, unknown> = { shared };
    cyclic['self'] = cyclic;
    expect(() =>
      assertSerializable({
        s: 'x',
        n: NaN,
        b: true,
        nil: null,
        u: undefined,
        big: 1n,
        date: new Date(0),
        map: new Map([['k', shared]]),
        set: new Set([shared]),
        re: /x/,
        url: new URL('https://example.com'),
        error: new Error('boom', { cause: new Error('inner') }),
        bytes: new Uint8Array([1, 2]),
        bare: Object.create(null),
        cyclic,
      }),
    ).not.toThrow();
  });

  it('rejects a nested function with code NOT_SERIALIZABLE and its path', () => {
    const error = failure({
      agents: [
        { name: 'a' },
        {
          name: 'b',
          settings: {
            format: function formatOutput() {
              return 'x';
            },
          },
        },
      ],
    });
    expect(error.code).toBe('NOT_SERIALIZABLE');
    expect(error.path).toBe('agents[1].settings.format');
    expect(error.message).toContain('agents[1].settings.format: a function (formatOutput) is not serializable');
    expect(error.message).toContain('referenced by that name');
  });

  it('names Map values, Map keys and Set members in the path', () => {
    expect(failure({ m: new Map([['route', () => 1]]) }).path).toBe('m.get("route")');
    expect(failure({ m: new Map([[() => 1, 'x']]) }).path).toBe('m.keys()[0]');
    expect(failure({ s: new Set([1, () => 1]) }).path).toBe('s.values()[1]');
  });

  it('prefixes the path with root', () => {
    expect(failure({ f: () => 1 }, 'extra').path).toBe('extra.f');
  });

  it('rejects a function at the root', () => {
    expect(failure(() => 1).message).toMatch(/^\(root\): a function/);
  });

  it('rejects symbols, invalid Dates and class instances superjson would flatten', () => {
    class Tool {
      constructor(readonly name: string) {}
    }
    expect(failure({ s: Symbol('x') }).path).toBe('s');
    expect(failure({ d: new Date('nope') }).message).toContain('invalid Date');
    expect(failure({ t: new Tool('search') }).message).toContain('an instance of Tool is not serializable');
    expect(failure({ e: new Error('x', { cause: () => 1 }) }).path).toBe('e.cause');
  });
});
