import { isSecretKey, redactSecretsInText } from './secret-detection';

/** Values that cannot carry a secret, whatever their key says (`apiKey: null`, `token: false`). */
export function keepsNoSecret(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'boolean';
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * The path of the first entry whose key names a secret ({@link isSecretKey})
 * and whose value could carry one (not null, undefined or a boolean), in
 * objects, arrays and Maps at any depth; `undefined` when there is none.
 *
 * @example
 * findSecretKey({ topic: 'x', auth: { pass: 'p' } }, 'input'); // => 'input.auth.pass'
 */
export function findSecretKey(
  value: unknown,
  path = '$',
  seen = new Set<unknown>(),
  /** Narrows which secret-named entries count (default: all). */
  counts: (key: string, value: unknown) => boolean = () => true,
): string | undefined {
  if (typeof value !== 'object' || value === null || seen.has(value) || !isPlainContainer(value)) return undefined;
  seen.add(value);
  const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const at = typeof key === 'number' ? `${path}[${key}]` : `${path}.${String(key)}`;
    if (typeof key === 'string' && isSecretKey(key) && !keepsNoSecret(item) && counts(key, item)) return at;
    const inner = findSecretKey(item, at, seen, counts);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * A copy of `value` in which every string has its credentials cut out
 * ({@link redactSecretsInText}); plain objects, arrays and Maps are copied,
 * everything else is kept as it is. Returns `value` itself when nothing was cut.
 *
 * @example
 * redactSecretsInValues({ note: `my key is ${key}` }); // => { note: 'my key is [redacted]' }
 */
export function redactSecretsInValues<T>(value: T): T {
  return cut(value, new Map()) as T;
}

function cut(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value === 'string') return redactSecretsInText(value);
  if (typeof value !== 'object' || value === null || !isPlainContainer(value)) return value;
  if (copies.has(value)) return copies.get(value);
  let changed = false;
  const keep = <V>(before: V, after: V): V => {
    if (before !== after) changed = true;
    return after;
  };
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    copies.set(value, out);
    for (const item of value) out.push(keep(item, cut(item, copies)));
    return changed ? out : value;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    copies.set(value, out);
    for (const [key, item] of value) out.set(key, keep(item, cut(item, copies)));
    return changed ? out : value;
  }
  const out: Record<string, unknown> = {};
  copies.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = keep(item, cut(item, copies));
  return changed ? out : value;
}
