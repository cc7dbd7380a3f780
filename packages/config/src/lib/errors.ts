/**
 * Errors of `@flock-ts/config`: {@link FlockError}s, so `instanceof` works
 * across the Temporal workflow sandbox and package copies.
 */
import { FlockError } from './flock-error';

/** The codes of `@flock-ts/config`'s errors. */
export type ConfigErrorCode = 'INVALID_CONFIG' | 'INVALID_SIGNATURE';

/** One violated rule, located by a dotted path such as `agents.0.name`. */
export interface ConfigIssue {
  /** Dotted path of the offending field (`''` for the root). */
  path: string;
  /** The rule that was broken, in words. */
  message: string;
}

/** Formats `['agents', 0, 'name']` as `agents[0].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Invalid configuration: lists each offending field with its rule. Not retryable. */
export class FlockConfigError extends FlockError<'INVALID_CONFIG'> {
  static {
    FlockError.named(this, 'FlockConfigError');
  }
  constructor(
    readonly subject: string,
    readonly issues: ConfigIssue[],
  ) {
    super('INVALID_CONFIG', `Invalid ${subject}:\n` + issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`).join('\n'), { nonRetryable: true });
  }
}

/** A signature string that cannot be parsed; `position` is a 0-based index. Not retryable. */
export class SignatureSyntaxError extends FlockError<'INVALID_SIGNATURE'> {
  static {
    FlockError.named(this, 'SignatureSyntaxError');
  }
  constructor(
    readonly signature: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super('INVALID_SIGNATURE', `Invalid signature "${signature}" at position ${position}: ${reason}`, { nonRetryable: true });
  }
}
