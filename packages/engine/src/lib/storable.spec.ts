import { Buffer } from 'node:buffer';
import { findUnstorable, MAX_STORABLE_DEPTH } from './storable';

/** `{ c: { c: ... { c: leaf } } }`, `levels` objects deep. */
function nested(levels: number, leaf: unknown = 'x'): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = { c: value };
  return value as Record<string, unknown>;
}

describe('findUnstorable', () => {
  it('accepts every type superjson keeps, shared and cyclic references included', () => {
    const shared = { a: 1 };
    const cyclic: Record<string, unknown> = { shared };
    cyclic['self'] = cyclic;
    const typed = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array].map((Ctor) => new Ctor(2));
    expect(
      findUnstorable({
        s: 'x',
        big: 1n,
        date: new Date(0),
        map: new Map([['k', shared]]),
        set: new Set([shared]),
        re: /x/,
        url: new URL('https://x.org'),
        typed,
        bare: Object.create(null),
        cyclic,
      }),
    ).toBeUndefined();
  });

  describe('typed arrays the workflow could not decode', () => {
    it('refuses a Node Buffer, naming the path, with the copy to make instead', () => {
      const found = findUnstorable({ files: [{ data: Buffer.from('hello') }] }, 'output');
      expect(found?.path).toBe('output.files[0].data');
      expect(found?.message).toMatch(/^output\.files\[0\]\.data: a Buffer is not storable/);
      expect(found?.message).toContain('new Uint8Array(buf)');
    });

    it('refuses any subclass of a typed array, and the typed arrays superjson cannot read back', () => {
      class Pixels extends Uint8ClampedArray {}
      expect(findUnstorable({ p: new Pixels(4) })?.message).toMatch(/^p: a Pixels is not storable: .*standard typed array/);
      expect(findUnstorable({ b: new BigInt64Array(1) })?.message).toMatch(/^b: a BigInt64Array is not storable/);
      expect(findUnstorable({ b: new BigUint64Array(1) })?.path).toBe('b');
    });

    it('refuses a Buffer as a Map value or Set member too', () => {
      expect(findUnstorable({ m: new Map([['k', Buffer.alloc(1)]]) })?.path).toBe('m.get("k")');
      expect(findUnstorable(new Set([Buffer.alloc(1)]), 'variables.s')?.path).toBe('variables.s.values()[0]');
    });
  });

  describe('nesting depth', () => {
    it(`accepts values nested ${MAX_STORABLE_DEPTH} levels deep`, () => {
      expect(MAX_STORABLE_DEPTH).toBe(100);
      expect(findUnstorable({ y: nested(MAX_STORABLE_DEPTH - 1) }, 'output')).toBeUndefined();
    });

    it('refuses deeper values, naming the path prefix, without blowing the stack', () => {
      for (const levels of [MAX_STORABLE_DEPTH, 5_000, 200_000]) {
        const found = findUnstorable({ y: nested(levels) }, 'output');
        expect(found?.path.startsWith('output.y.c.c.c')).toBe(true);
        expect(found?.message).toMatch(/^output\.y\.c\.c\.c\.c\.c\.c(\.c)*…: nested deeper than 100 levels/);
        expect(found?.message.length).toBeLessThan(400);
      }
    });

    it('counts arrays, Maps and Sets as levels', () => {
      let value: unknown = 1;
      for (let i = 0; i < 150; i++) value = i % 3 === 0 ? [value] : i % 3 === 1 ? new Map([['k', value]]) : new Set([value]);
      expect(findUnstorable(value, 'input')?.reason).toMatch(/nested deeper than 100 levels/);
    });
  });

  describe('keys superjson refuses as a prototype pollution risk', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s, naming its path', (key) => {
      const value = JSON.parse(`{"items": [{"ok": 1, "${key}": {"x": 1}}]}`) as unknown;
      const found = findUnstorable(value, 'output');
      expect(found?.path).toBe(`output.items[0].${key}`);
      expect(found?.message).toContain(`output.items[0].${key}: the key "${key}" is not storable`);
      expect(found?.message).toContain('rename it');
    });

    it('refuses them on objects without a prototype too', () => {
      const bare = Object.create(null) as Record<string, unknown>;
      bare['constructor'] = 1;
      expect(findUnstorable({ bare })?.path).toBe('bare.constructor');
    });

    it('accepts them as Map keys (superjson stores Maps as entries)', () => {
      expect(findUnstorable(new Map([['constructor', 1]]))).toBeUndefined();
    });
  });
});
