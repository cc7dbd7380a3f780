/**
 * The base of every Flock error. Sandbox-safe (no Node built-ins): workflow
 * code throws and catches these too.
 *
 * `instanceof` works across realms (the Temporal workflow sandbox), across
 * duplicate copies of a package and across dist/src mixes, the way
 * `@temporalio/common` does it: each error class marks its prototype with a
 * `Symbol.for` key derived from its name, and `instanceof` checks the mark,
 * not the constructor's identity.
 */

const MARK = Symbol.for('@flock-ts/error.mark');

function markOf(name: string): symbol {
  return Symbol.for(`@flock-ts/error:${name}`);
}

/** What a {@link FlockError} carries besides its code and message. */
export interface FlockErrorOptions {
  /** The error this one wraps (ES2022 `cause`). */
  cause?: unknown;
  /** A retry cannot fix it: Temporal fails the activity without retrying. Default `false` (the retry policy decides). */
  nonRetryable?: boolean;
  /** Structured facts about the failure, for logs and callers. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * A Flock error: a stable `code` a caller can switch on, and whether a retry
 * could fix it (`nonRetryable`, honoured when a Temporal activity fails with
 * it). Subclasses name themselves with {@link FlockError.named} in a static
 * block; that name is the error's `name` and its Temporal failure `type`.
 *
 * @example
 * export class QuotaError extends FlockError<'QUOTA_EXHAUSTED'> {
 *   static { FlockError.named(this, 'QuotaError'); }
 *   constructor(message: string) {
 *     super('QUOTA_EXHAUSTED', message, { nonRetryable: true });
 *   }
 * }
 * try { ... } catch (error) { if (error instanceof QuotaError) ... }
 */
export class FlockError<Code extends string = string> extends Error {
  static {
    FlockError.named(this, 'FlockError');
  }

  /** Stable across versions; never parse the message. */
  readonly code: Code;
  /** A retry cannot fix it. */
  readonly nonRetryable: boolean;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, options: FlockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.nonRetryable = options.nonRetryable ?? false;
    if (options.details !== undefined) this.details = options.details;
  }

  /**
   * Names an error class: sets `name` on its prototype and the mark that
   * makes `instanceof` work across realms and package copies. Call it once
   * per class, in a static block.
   */
  static named(errorClass: { readonly prototype: Error }, name: string): void {
    const mark = markOf(name);
    Object.defineProperty(errorClass.prototype, 'name', { value: name, writable: true, configurable: true });
    Object.defineProperty(errorClass.prototype, mark, { value: true });
    Object.defineProperty(errorClass, MARK, { value: mark });
  }

  /** Matches by the class's mark, so instances made by another copy of the class match too. */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (typeof value !== 'object' || value === null) return false;
    const mark = Object.prototype.hasOwnProperty.call(this, MARK) ? (this as unknown as Record<symbol, symbol>)[MARK] : undefined;
    // a subclass that was never named: ordinary (same-realm) instanceof
    if (mark === undefined) return Function.prototype[Symbol.hasInstance].call(this, value);
    return (value as Record<symbol, unknown>)[mark] === true;
  }
}

/**
 * True for a {@link FlockError} from any realm or copy of the package,
 * with the given code when one is given.
 *
 * @example
 * if (isFlockError(error, 'UNKNOWN_AGENT')) console.error(error.message);
 */
export function isFlockError<Code extends string = string>(error: unknown, code?: Code): error is FlockError<Code> {
  return error instanceof FlockError && (code === undefined || error.code === code);
}
