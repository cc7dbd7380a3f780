import { flockSuperjson, fromJson, isPlainJson, isSuperJsonEnvelope, toJson } from './superjson';

class CodedError extends Error {
  readonly code = 'E_CODED';
}

describe('toJson / fromJson', () => {
  it('round-trips Date, Map, Set, BigInt, undefined, RegExp and URL', () => {
    const value = {
      at: new Date('2024-05-06T07:08:09.010Z'),
      byName: new Map<string, unknown>([
        ['a', 1n],
        ['b', new Set(['x', 'y'])],
      ]),
      ids: new Set([1n, 2n]),
      missing: undefined,
      pattern: /^flock-(\d+)$/gi,
      endpoint: new URL('https://example.com/path?q=1#frag'),
      list: [undefined, new Date(0), 10n ** 30n],
    };
    const back = fromJson<typeof value>(toJson(value));
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.byName.get('a')).toBe(1n);
    expect(back.byName.get('b')).toBeInstanceOf(Set);
    expect(back.pattern.flags).toBe('gi');
    expect(back.endpoint.href).toBe('https://example.com/path?q=1#frag');
    expect(Object.keys(back)).toContain('missing');
    expect(back.list[2]).toBe(10n ** 30n);
  });

  it('round-trips non-finite numbers and negative zero', () => {
    const back = fromJson<number[]>(toJson([NaN, Infinity, -Infinity, -0]));
    expect(back[0]).toBeNaN();
    expect(back[1]).toBe(Infinity);
    expect(back[2]).toBe(-Infinity);
    expect(Object.is(back[3], -0)).toBe(true);
  });

  it('round-trips an Error with its name, message, code and cause', () => {
    const error = new CodedError('outer', { cause: new Error('inner') });
    error.name = 'CodedError';
    const back = fromJson<Error & { code: string }>(toJson(error));
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe('CodedError');
    expect(back.message).toBe('outer');
    expect(back.code).toBe('E_CODED');
    expect((back.cause as Error).message).toBe('inner');
  });

  it('writes a superjson envelope without meta for plain JSON data', () => {
    expect(JSON.parse(toJson({ a: [1, 'two', null, true] }))).toEqual({ json: { a: [1, 'two', null, true] } });
  });

  it('reads hand-written JSON that is not an envelope as plain JSON', () => {
    expect(fromJson('{"name":"demo","agents":[]}')).toEqual({ name: 'demo', agents: [] });
    expect(fromJson('[1,2]')).toEqual([1, 2]);
  });

  it('throws a SerializationError with code INVALID_JSON for text that is not JSON', () => {
    expect(() => fromJson('{"json": ')).toThrow(expect.objectContaining({ name: 'SerializationError', code: 'INVALID_JSON' }));
  });

  it('uses one shared instance so registrations reach every reader', () => {
    expect(flockSuperjson.allowedErrorProps).toContain('code');
  });
});

describe('isSuperJsonEnvelope', () => {
  it('accepts {json} and {json, meta} only', () => {
    expect(isSuperJsonEnvelope({ json: 1 })).toBe(true);
    expect(isSuperJsonEnvelope({ json: 1, meta: { v: 1 } })).toBe(true);
    expect(isSuperJsonEnvelope({ json: 1, name: 'x' })).toBe(false);
    expect(isSuperJsonEnvelope({ json: 1, meta: 'x' })).toBe(false);
    expect(isSuperJsonEnvelope([1])).toBe(false);
    expect(isSuperJsonEnvelope(null)).toBe(false);
  });
});

describe('isPlainJson', () => {
  it('accepts what JSON.stringify keeps exactly, shared objects included', () => {
    const shared = { k: 1 };
    expect(isPlainJson({ a: [1, 'x', true, null, { b: 2.5 }], c: shared, d: shared })).toBe(true);
    expect(isPlainJson(Object.assign(Object.create(null), { a: 1 }))).toBe(true);
    expect(isPlainJson('text')).toBe(true);
  });

  it.each<[string, unknown]>([
    ['undefined in an object', { a: undefined }],
    ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['NaN', { n: NaN }],
    ['-0', [-0]],
    ['a Date', { at: new Date(0) }],
    ['a BigInt', [1n]],
    ['a Map', new Map()],
    ['a class instance', { u: new URL('https://example.com') }],
    ['a function', { f: () => 1 }],
    [
      'a cycle',
      (() => {
        const c: Record<string, unknown> = {};
        c['c'] = c;
        return c;
      })(),
    ],
  ])('rejects %s', (_what, value) => {
    expect(isPlainJson(value)).toBe(false);
  });
});
