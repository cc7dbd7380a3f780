import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/encoding';

import { SUPERJSON_META_KEY, SuperJsonPayloadConverter, payloadConverter } from './payload-converter';
import { undecodablePayload } from './undecodable';

const roundTrip = <T>(value: T): T => payloadConverter.fromPayload<T>(payloadConverter.toPayload(value));

describe('payloadConverter', () => {
  it('round-trips rich values through a json/plain payload', () => {
    const value = {
      at: new Date('2024-05-06T07:08:09.010Z'),
      byName: new Map<string, bigint>([['a', 1n]]),
      ids: new Set(['x']),
      big: 2n ** 70n,
      missing: undefined,
      pattern: /a+b/m,
      url: new URL('https://example.com/a'),
      error: Object.assign(new Error('boom'), { code: 'E_BOOM' }),
      nested: [new Date(0), { deep: new Map([[1, new Set([2])]]) }],
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.byName.get('a')).toBe(1n);
    expect(back.error).toMatchObject({ message: 'boom', code: 'E_BOOM' });
    expect(Object.keys(back)).toContain('missing');
  });

  it('round-trips a rich value at the root', () => {
    expect(roundTrip(new Date(5))).toEqual(new Date(5));
    expect(roundTrip(7n)).toBe(7n);
  });

  it.each<[string, unknown]>([
    ['an object', { a: 1, b: 'two', c: [true, null, { d: 1.5 }] }],
    ['an array', [1, 'x', { y: [] }]],
    ['a string', 'héllo ✓'],
    ['a number', 42],
    ['null', null],
    ['a boolean', false],
    ['an empty object', {}],
    [
      'an object sharing a sub-object',
      (() => {
        const shared = { k: 1 };
        return { a: shared, b: shared };
      })(),
    ],
  ])('writes %s byte for byte like Temporal default converter', (_what, value) => {
    const ours = payloadConverter.toPayload(value);
    const theirs = defaultPayloadConverter.toPayload(value);
    expect(ours).toEqual(theirs);
    expect(Object.keys(ours.metadata ?? {})).toEqual(['encoding']);
    expect(decode(ours.data as Uint8Array)).toBe(JSON.stringify(value));
    expect(payloadConverter.fromPayload(theirs)).toEqual(value);
  });

  it('writes undefined and Uint8Array like Temporal default converter', () => {
    expect(payloadConverter.toPayload(undefined)).toEqual(defaultPayloadConverter.toPayload(undefined));
    const bytes = new Uint8Array([1, 2, 3]);
    expect(payloadConverter.toPayload(bytes)).toEqual(defaultPayloadConverter.toPayload(bytes));
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('keeps the data standard JSON for rich values and adds the superjson meta only then', () => {
    const payload = payloadConverter.toPayload({ at: new Date(0), n: 1 });
    expect(decode(payload.metadata?.['encoding'] as Uint8Array)).toBe('json/plain');
    expect(JSON.parse(decode(payload.data as Uint8Array))).toEqual({ at: '1970-01-01T00:00:00.000Z', n: 1 });
    expect(JSON.parse(decode(payload.metadata?.[SUPERJSON_META_KEY] as Uint8Array))).toEqual({ values: { at: ['Date'] }, v: 1 });
    // Other SDKs and the Web UI, which ignore the meta key, still read the JSON.
    expect(defaultPayloadConverter.fromPayload(payload)).toEqual({ at: '1970-01-01T00:00:00.000Z', n: 1 });
  });

  it('keeps circular references, which Temporal default converter cannot write', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node['self'] = node;
    const back = roundTrip(node);
    expect(back['self']).toBe(back);
    expect(() => defaultPayloadConverter.toPayload(node)).toThrow();
  });

  it('declares the json/plain encoding, so Temporal routes json/plain payloads to it', () => {
    expect(new SuperJsonPayloadConverter().encodingType).toBe('json/plain');
  });

  it('drops functions like Temporal default converter does', () => {
    expect(roundTrip({ a: 1, f: () => 2 })).toEqual({ a: 1 });
  });

  it('reports unreadable superjson meta as a PayloadDecodeError outside workflow code (inside, the run fails on it)', () => {
    const payload = payloadConverter.toPayload({ at: new Date(0) });
    const broken: Payload = { ...payload, metadata: { ...payload.metadata, [SUPERJSON_META_KEY]: new TextEncoder().encode('{nope') } };
    expect(() => payloadConverter.fromPayload(broken)).toThrow(
      expect.objectContaining({ name: 'PayloadDecodeError', message: expect.stringContaining('unreadable flock-superjson-meta payload metadata') }),
    );
  });

  it('reads the stand-in of a payload a codec could not decode as a PayloadDecodeError naming the reason', () => {
    expect(() => payloadConverter.fromPayload(undecodablePayload('corrupted ciphertext'))).toThrow(
      expect.objectContaining({ name: 'PayloadDecodeError', message: 'corrupted ciphertext' }),
    );
  });
});
