import { isSecretKey, isSecretQueryParam, keepsNoSecret, looksLikeSecret, redactSecretsInText } from '@flock-ts/secrets';
import { isTypedArray } from './serializable';

/** What replaces a secret-looking value (and, with `secretKeys: 'redact'`, a secret key's value). */
export const REDACTED = '[redacted]';

export interface StripSecretsOptions {
  /**
   * What happens to an entry whose key names a secret (`apiKey`, `token`, ...):
   * - `'drop'` (default): the entry is removed, so a reader falls back to its
   *   own environment (e.g. `TEMPORAL_API_KEY`) instead of using a marker as a key;
   * - `'redact'`: the value becomes {@link REDACTED}, showing a secret was set
   *   (what logs and spans want).
   */
  secretKeys?: 'drop' | 'redact';
  /**
   * What happens to a string that contains a credential:
   * - `'replace'` (default): the whole string becomes {@link REDACTED};
   * - `'cut'`: only the credential is cut out (`redactSecretsInText`), the rest
   *   stays readable (what log messages, errors and free-text input want).
   */
  strings?: 'replace' | 'cut';
}

interface Context {
  dropKeys: boolean;
  cut: boolean;
  copies: Map<object, unknown>;
}

/**
 * Returns a deep copy of `value` without secrets:
 * - an object property or Map entry whose key names a secret ({@link isSecretKey})
 *   is dropped (default) or redacted, whatever its value, unless that value is
 *   null, undefined or a boolean (which carry no secret);
 * - a string that contains a credential ({@link looksLikeSecret}), anywhere
 *   (array items, Set members, Map keys, Error messages, RegExp sources),
 *   is replaced as a whole by {@link REDACTED}, so the shape stays valid;
 * - a URL loses its user and password, and query or fragment parameters
 *   named like secrets; a URL that still looks secret becomes {@link REDACTED}.
 *
 * Dates, Maps, Sets, Errors, RegExps, URLs and typed arrays are copied as
 * themselves; other class instances are copied onto the same prototype.
 * Shared and circular references are preserved. Functions are kept as they are.
 *
 * @example
 * stripSecrets({ apiKey: 'k', model: 'gpt', note: 'token sk-0123456789abcdefXYZ' });
 * // => { model: 'gpt', note: '[redacted]' }
 * stripSecrets({ apiKey: 'k' }, { secretKeys: 'redact' });
 * // => { apiKey: '[redacted]' }
 */
export function stripSecrets<T>(value: T, options: StripSecretsOptions = {}): T {
  return strip(value, { dropKeys: (options.secretKeys ?? 'drop') === 'drop', cut: options.strings === 'cut', copies: new Map() }) as T;
}

function stripString(value: string, ctx: Context): string {
  if (ctx.cut) return redactSecretsInText(value);
  return looksLikeSecret(value) ? REDACTED : value;
}

function strip(value: unknown, ctx: Context): unknown {
  if (typeof value === 'string') return stripString(value, ctx);
  if (typeof value !== 'object' || value === null) return value;
  const done = ctx.copies.get(value);
  if (done !== undefined) return done;

  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    ctx.copies.set(value, out);
    value.forEach((item, index) => {
      out[index] = strip(item, ctx);
    });
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    ctx.copies.set(value, out);
    for (const [key, item] of value) {
      if (typeof key === 'string' && (isSecretKey(key) || looksLikeSecret(key))) {
        if (keepsNoSecret(item)) out.set(key, item);
        else if (!ctx.dropKeys) out.set(looksLikeSecret(key) ? REDACTED : key, REDACTED);
      } else {
        out.set(strip(key, ctx), strip(item, ctx));
      }
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    ctx.copies.set(value, out);
    for (const item of value) out.add(strip(item, ctx));
    return out;
  }
  if (value instanceof Date) return remember(ctx, value, new Date(value.getTime()));
  if (value instanceof RegExp) {
    return remember(ctx, value, looksLikeSecret(value.source) ? REDACTED : new RegExp(value.source, value.flags));
  }
  if (value instanceof URL) return remember(ctx, value, stripUrl(value, ctx));
  if (isTypedArray(value)) return remember(ctx, value, (value as Uint8Array).slice());
  if (value instanceof Error) return stripError(value, ctx);

  // Same prototype: null-prototype objects stay so, class instances keep their methods.
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  ctx.copies.set(value, out);
  copyProperties(value as Record<string, unknown>, out, ctx);
  return out;
}

function copyProperties(from: Record<string, unknown>, to: Record<string, unknown>, ctx: Context): void {
  for (const key of Object.keys(from)) {
    const item = from[key];
    if (isSecretKey(key) || looksLikeSecret(key)) {
      if (keepsNoSecret(item)) define(to, key, item);
      else if (!ctx.dropKeys) define(to, looksLikeSecret(key) ? REDACTED : key, REDACTED);
    } else {
      define(to, key, strip(item, ctx));
    }
  }
}

function stripError(error: Error, ctx: Context): Error {
  const out = new Error(stripString(error.message, ctx));
  ctx.copies.set(error, out);
  out.name = error.name;
  // The copy's own stack would point here; the original's may hold the secret: cut out, or left out.
  out.stack = ctx.cut && error.stack ? redactSecretsInText(error.stack) : `${out.name}: ${out.message}`;
  if ('cause' in error) out.cause = strip(error.cause, ctx);
  copyProperties(error as unknown as Record<string, unknown>, out as unknown as Record<string, unknown>, ctx);
  return out;
}

function stripUrl(url: URL, ctx: Context): URL | string {
  const out = new URL(url.href);
  // User info in a URL is a credential (user:password@, or a bare token@).
  out.username = '';
  out.password = '';
  out.search = stripParams(out.search, ctx);
  if (out.hash.includes('=')) out.hash = stripParams(out.hash, ctx);
  return looksLikeSecret(out.href) ? REDACTED : out;
}

/** Strips secret parameters of a `?a=b&c=d` search or `#a=b` fragment, keeping its leading character. */
function stripParams(part: string, ctx: Context): string {
  if (part.length <= 1) return part;
  const params = new URLSearchParams(part.slice(1));
  const out = new URLSearchParams();
  for (const [name, value] of params) {
    if (isSecretQueryParam(name) || looksLikeSecret(value)) {
      if (!ctx.dropKeys) out.append(name, REDACTED);
    } else {
      out.append(name, value);
    }
  }
  const text = out.toString();
  return text ? `${part[0]}${text}` : '';
}

function remember<T>(ctx: Context, original: object, copy: T): T {
  ctx.copies.set(original, copy);
  return copy;
}

/** Plain assignment of `__proto__` would replace the prototype instead of adding a property. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
