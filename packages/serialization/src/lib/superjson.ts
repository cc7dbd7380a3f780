import { SuperJSON, type SuperJSONResult } from 'superjson';

import { SerializationError } from './errors';

/**
 * The superjson instance every Flock serialization uses, so that writers and
 * readers (client, worker, workflow sandbox) agree on the rich types:
 * Date, Map, Set, BigInt, undefined, RegExp, URL, Error (with `name`,
 * `message`, `cause` and `code`), NaN/Infinity/-0, typed arrays, and shared
 * or circular references.
 *
 * Register custom types here only: a reader without the registration cannot
 * decode what a writer with it produced.
 *
 * @example
 * const { json, meta } = flockSuperjson.serialize({ at: new Date(0) });
 */
export const flockSuperjson = new SuperJSON();
// Our error classes carry a `code` a caller switches on; keep it across the wire.
flockSuperjson.allowErrorProps('code');

/** The JSON-able pair superjson produces: plain `json` plus `meta` describing the rich values. */
export type SuperJsonEnvelope = SuperJSONResult;

/**
 * Serializes a value to a JSON string that keeps rich values (Date, Map,
 * Set, BigInt, undefined, RegExp, URL, Error). The text is a superjson
 * envelope `{"json": ..., "meta": ...}`; `meta` is absent for plain JSON data.
 *
 * Functions and unregistered symbols are dropped, as `JSON.stringify` does;
 * use {@link assertSerializable} first where that must be an error.
 *
 * @example
 * const text = toJson({ at: new Date(0), ids: new Set([1n]) });
 * fromJson<{ at: Date; ids: Set<bigint> }>(text).at.getTime(); // 0
 */
export function toJson(value: unknown): string {
  if (isPlainJson(value)) return `{"json":${JSON.stringify(value)}}`;
  return flockSuperjson.stringify(value as Parameters<SuperJSON['stringify']>[0]);
}

/**
 * Reads text written by {@link toJson}. Text that is valid JSON but not a
 * superjson envelope (an object whose only keys are `json` and optionally
 * `meta`) is returned as parsed JSON, so hand-written JSON is accepted too.
 * Throws a `SerializationError` (`INVALID_JSON`) for text that is not JSON.
 *
 * @example
 * fromJson<Map<string, number>>(toJson(new Map([['a', 1]]))).get('a'); // 1
 * fromJson<{ a: number }>('{"a": 1}').a; // 1
 */
export function fromJson<T = unknown>(text: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SerializationError('INVALID_JSON', `Not valid JSON: ${(error as Error).message}`);
  }
  return isSuperJsonEnvelope(parsed) ? flockSuperjson.deserialize<T>(parsed) : (parsed as T);
}

/** True for `{ json }` or `{ json, meta }` with an object `meta`: the shape superjson writes. */
export function isSuperJsonEnvelope(value: unknown): value is SuperJsonEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('json' in value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 1) return true;
  const meta = (value as { meta?: unknown }).meta;
  return keys.length === 2 && typeof meta === 'object' && meta !== null && !Array.isArray(meta);
}

/**
 * True when `JSON.stringify` alone keeps `value` exactly: only strings,
 * booleans, null, finite numbers (not -0), arrays and plain objects, without
 * undefined and without cycles. superjson's walk costs several times a plain
 * `JSON.stringify`, and most values are plain, so writers check this first.
 */
export function isPlainJson(value: unknown): boolean {
  return plainJson(value, new Set());
}

function plainJson(value: unknown, ancestors: Set<object>): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (ancestors.has(value)) return false;
  ancestors.add(value);
  let plain: boolean;
  if (Array.isArray(value)) {
    plain = true;
    for (let index = 0; plain && index < value.length; index++) plain = index in value && plainJson(value[index], ancestors);
  } else {
    const proto = Object.getPrototypeOf(value);
    plain = proto === Object.prototype || proto === null;
    const keys = plain ? Object.keys(value) : [];
    for (let index = 0; plain && index < keys.length; index++) plain = plainJson((value as Record<string, unknown>)[keys[index]], ancestors);
  }
  ancestors.delete(value);
  return plain;
}
