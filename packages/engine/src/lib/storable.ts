/** A value a run cannot store, and where it is. */
export interface UnstorableValue {
  /** Path of the value, in config notation: `output.items[2].format` (for a value nested too deep, its start and `…`). */
  path: string;
  /** What is wrong. */
  reason: string;
  /** `<path>: <reason>`. */
  message: string;
}

const SUPPORTED = 'plain objects, arrays, strings, numbers, booleans, null, undefined, BigInt, Date, Map, Set, RegExp, URL, Error and standard typed arrays';

/**
 * How deep a stored value may nest: the run input, a step's output and its
 * variables. Deeper values are refused (superjson, and any code that walks
 * them, would run out of stack). The root is level 0, `output.a.b` level 2.
 */
export const MAX_STORABLE_DEPTH = 100;

/** Keys superjson refuses as a prototype pollution risk. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The typed arrays superjson can read back (its own list): neither subclasses such as Node's `Buffer` nor the BigInt arrays. */
const STANDARD_TYPED_ARRAYS: ReadonlySet<string> = new Set([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
]);

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

/**
 * Why a typed array cannot be stored, `undefined` when it can: superjson
 * records the constructor's name and the workflow can only rebuild the
 * standard ones. A standard typed array's own prototype carries
 * `BYTES_PER_ELEMENT` (in every realm); a subclass's does not.
 */
function typedArrayProblem(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const name = proto?.constructor?.name || 'unknown typed array';
  if (STANDARD_TYPED_ARRAYS.has(name) && Object.prototype.hasOwnProperty.call(proto, 'BYTES_PER_ELEMENT')) return undefined;
  const hint =
    name === 'Buffer'
      ? 'copy it into a standard typed array, e.g. new Uint8Array(buf), or store it as a base64 string'
      : name.startsWith('Big')
        ? 'store it as an array of BigInt ([...value])'
        : 'copy it into a standard typed array, e.g. new Uint8Array(value)';
  return `a ${name} is not storable: a run stores only the standard typed arrays (${[...STANDARD_TYPED_ARRAYS].join(', ')}), the workflow could not read it back; ${hint}`;
}

/** The start of a long path, cut at a segment boundary. */
function pathPrefix(path: string, max = 60): string {
  if (path.length <= max) return path;
  const cut = Math.max(path.lastIndexOf('.', max), path.lastIndexOf('[', max));
  return `${path.slice(0, cut > 0 ? cut : max)}…`;
}

/** `get("key")` for string and number keys, `get(#index)` otherwise. */
function mapEntryLabel(key: unknown, index: number): string {
  return typeof key === 'string' || typeof key === 'number' ? `get(${JSON.stringify(key)})` : `get(#${index})`;
}

/**
 * The first value in `value` that a run could not store as it is (Flock's
 * payloads are superjson): a function, a symbol, an invalid Date, an
 * instance of a class superjson does not know, a typed array the workflow
 * could not rebuild (a Node `Buffer`, a subclass, `BigInt64Array`), a value
 * nested deeper than {@link MAX_STORABLE_DEPTH} levels, or a `__proto__`,
 * `constructor` or `prototype` key (superjson refuses them); `undefined`
 * when there is none. The walk is bounded by the depth limit: it never
 * overflows the stack. Both executors refuse such values the same way, so what runs
 * in-process also runs on Temporal.
 *
 * @param root Path prefix, e.g. `'input'`.
 * @example
 * findUnstorable({ format: () => 'x' }, 'settings') // => { path: 'settings.format', message: 'settings.format: a function (format) is not serializable: ...' }
 */
export function findUnstorable(value: unknown, root = ''): UnstorableValue | undefined {
  return walk(value, root, new Set<object>(), 0);
}

function problem(path: string, reason: string): UnstorableValue {
  return { path, reason, message: `${path || '(root)'}: ${reason}` };
}

function walk(value: unknown, path: string, seen: Set<object>, depth: number): UnstorableValue | undefined {
  if (depth > MAX_STORABLE_DEPTH && value !== undefined) {
    const reason =
      `nested deeper than ${MAX_STORABLE_DEPTH} levels (the limit of a value a run stores); ` +
      'flatten it, or store it elsewhere and pass a reference (a URL, a file path, a blob store key)';
    return problem(pathPrefix(path), reason);
  }
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
      const found = walk(value[index], appendPath(path, index), seen, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Map) {
    let index = 0;
    for (const [key, item] of value) {
      const found = walk(key, appendPath(path, `keys()[${index}]`), seen, depth + 1) ?? walk(item, appendPath(path, mapEntryLabel(key, index)), seen, depth + 1);
      if (found) return found;
      index++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let index = 0;
    for (const item of value) {
      const found = walk(item, appendPath(path, `values()[${index++}]`), seen, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? problem(path, 'an invalid Date is not serializable (it would become null)') : undefined;
  if (value instanceof Error) return 'cause' in value ? walk(value.cause, appendPath(path, 'cause'), seen, depth + 1) : undefined;
  if (value instanceof RegExp || value instanceof URL) return undefined;
  if (isTypedArray(value)) {
    const reason = typedArrayProblem(value);
    return reason ? problem(path, reason) : undefined;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(key)) {
        return problem(appendPath(path, key), `the key "${key}" is not storable: __proto__, constructor and prototype are refused as keys (a prototype pollution risk); rename it`);
      }
      const found = walk((value as Record<string, unknown>)[key], appendPath(path, key), seen, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  const className = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return problem(path, `an instance of ${className || 'an unknown class'} is not serializable; use ${SUPPORTED}`);
}

/**
 * What in a step's result a run could not store (its output first, then the
 * variables), worded for the agent: `Agent "writer" produced a value a
 * Temporal run cannot store: output.y: a function ...`. Both executors fail
 * the step with it (cause type `SerializationError`).
 */
export function findUnstorableResult(agent: string, result: { output: unknown; variables: unknown }): UnstorableValue | undefined {
  const found = findUnstorable(result.output, 'output') ?? findUnstorable(result.variables, 'variables');
  return found && { ...found, message: `Agent "${agent}" produced a value a Temporal run cannot store: ${found.message}` };
}
