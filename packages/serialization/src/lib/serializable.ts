import { SerializationError } from './errors';
import { appendPath } from './path';

const SUPPORTED =
  'plain objects, arrays, strings, numbers, booleans, null, undefined, BigInt, Date, Map, Set, RegExp, URL, Error and typed arrays';

/**
 * Throws a `SerializationError` (`NOT_SERIALIZABLE`) naming the path of the
 * first value {@link toJson} would drop or flatten: a function, a symbol, an
 * invalid Date or an instance of a class superjson does not know. Code
 * (evaluators, tools, routers) belongs in a registry, referenced by name.
 *
 * @param root Path prefix for messages, e.g. `'settings'`.
 * @example
 * assertSerializable({ settings: { format: () => 'x' } });
 * // throws: settings.format: a function is not serializable ...
 */
export function assertSerializable(value: unknown, root = ''): void {
  walk(value, root, new Set<object>());
}

function walk(value: unknown, path: string, seen: Set<object>): void {
  if (typeof value === 'function') {
    fail(
      path,
      `a function${value.name ? ` (${value.name})` : ''} is not serializable: ` +
        'code such as evaluators, tools and routers is registered by name and referenced by that name, never stored in a definition',
    );
  }
  if (typeof value === 'symbol') fail(path, `a symbol (${String(value.description)}) is not serializable`);
  if (typeof value !== 'object' || value === null) return;
  // Shared and circular references are fine (superjson keeps them); walk each object once.
  if (seen.has(value)) return;
  seen.add(value);

  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, appendPath(path, index), seen));
  } else if (value instanceof Map) {
    let index = 0;
    for (const [key, item] of value) {
      walk(key, appendPath(path, `keys()[${index}]`), seen);
      walk(item, appendPath(path, mapEntryLabel(key, index)), seen);
      index++;
    }
  } else if (value instanceof Set) {
    let index = 0;
    for (const item of value) walk(item, appendPath(path, `values()[${index++}]`), seen);
  } else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail(path, 'an invalid Date is not serializable (it would become null)');
  } else if (value instanceof Error) {
    if ('cause' in value) walk(value.cause, appendPath(path, 'cause'), seen);
  } else if (value instanceof RegExp || value instanceof URL || isTypedArray(value)) {
    return;
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], appendPath(path, key), seen);
  } else {
    const className = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    fail(path, `an instance of ${className || 'an unknown class'} is not serializable; use ${SUPPORTED}`);
  }
}

/** `get("key")` for string and number keys, `get(#index)` otherwise. */
function mapEntryLabel(key: unknown, index: number): string {
  return typeof key === 'string' || typeof key === 'number' ? `get(${JSON.stringify(key)})` : `get(#${index})`;
}

function fail(path: string, reason: string): never {
  throw new SerializationError('NOT_SERIALIZABLE', `${path || '(root)'}: ${reason}`, path);
}

/** Mirrors superjson's own test, so we accept exactly what it serializes as an object. */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

export function isTypedArray(value: object): boolean {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}
