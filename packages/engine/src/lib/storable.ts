/** A value a run cannot store, and where it is. */
export interface UnstorableValue {
  /** Path of the value, in config notation: `output.items[2].format`. */
  path: string;
  /** What is wrong. */
  reason: string;
  /** `<path>: <reason>`. */
  message: string;
}

const SUPPORTED =
  'plain objects, arrays, strings, numbers, booleans, null, undefined, BigInt, Date, Map, Set, RegExp, URL, Error and typed arrays';

/** Extends a path: `agents[0].settings.format`. */
function appendPath(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return path ? `${path}.${segment}` : segment;
}

/** Mirrors superjson's own test, so exactly what it serializes as an object is accepted. */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

export function isTypedArray(value: object): boolean {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** `get("key")` for string and number keys, `get(#index)` otherwise. */
function mapEntryLabel(key: unknown, index: number): string {
  return typeof key === 'string' || typeof key === 'number' ? `get(${JSON.stringify(key)})` : `get(#${index})`;
}

/**
 * The first value in `value` that a run could not store as it is (Flock's
 * payloads are superjson): a function, a symbol, an invalid Date or an
 * instance of a class superjson does not know; `undefined` when there is
 * none. Both executors refuse such values the same way, so what runs
 * in-process also runs on Temporal.
 *
 * @param root Path prefix, e.g. `'input'`.
 * @example
 * findUnstorable({ format: () => 'x' }, 'settings') // => { path: 'settings.format', message: 'settings.format: a function (format) is not serializable: ...' }
 */
export function findUnstorable(value: unknown, root = ''): UnstorableValue | undefined {
  return walk(value, root, new Set<object>());
}

function problem(path: string, reason: string): UnstorableValue {
  return { path, reason, message: `${path || '(root)'}: ${reason}` };
}

function walk(value: unknown, path: string, seen: Set<object>): UnstorableValue | undefined {
  if (typeof value === 'function') {
    return problem(
      path,
      `a function${value.name ? ` (${value.name})` : ''} is not serializable: ` +
        'code such as evaluators, tools and routers is registered by name and referenced by that name, never stored in a definition',
    );
  }
  if (typeof value === 'symbol') return problem(path, `a symbol (${String(value.description)}) is not serializable`);
  if (typeof value !== 'object' || value === null) return undefined;
  // Shared and circular references are fine (superjson keeps them); walk each object once.
  if (seen.has(value)) return undefined;
  seen.add(value);

  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = walk(value[index], appendPath(path, index), seen);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Map) {
    let index = 0;
    for (const [key, item] of value) {
      const found = walk(key, appendPath(path, `keys()[${index}]`), seen) ?? walk(item, appendPath(path, mapEntryLabel(key, index)), seen);
      if (found) return found;
      index++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let index = 0;
    for (const item of value) {
      const found = walk(item, appendPath(path, `values()[${index++}]`), seen);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? problem(path, 'an invalid Date is not serializable (it would become null)') : undefined;
  if (value instanceof Error) return 'cause' in value ? walk(value.cause, appendPath(path, 'cause'), seen) : undefined;
  if (value instanceof RegExp || value instanceof URL || isTypedArray(value)) return undefined;
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const found = walk((value as Record<string, unknown>)[key], appendPath(path, key), seen);
      if (found) return found;
    }
    return undefined;
  }
  const className = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return problem(path, `an instance of ${className || 'an unknown class'} is not serializable; use ${SUPPORTED}`);
}
