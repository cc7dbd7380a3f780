/**
 * Errors of `@flock-ts/config`. Match them by `name` (or `code`), never with
 * `instanceof`: they cross the Temporal workflow sandbox and realms.
 */

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

/** Invalid configuration: lists each offending field with its rule. */
export class FlockConfigError extends Error {
  override readonly name = 'FlockConfigError';
  readonly code = 'INVALID_CONFIG' as const;
  constructor(
    readonly subject: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid ${subject}:\n` +
        issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`).join('\n'),
    );
  }
}

/** A signature string that cannot be parsed; `position` is a 0-based index. */
export class SignatureSyntaxError extends Error {
  override readonly name = 'SignatureSyntaxError';
  readonly code = 'INVALID_SIGNATURE' as const;
  constructor(
    readonly signature: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Invalid signature "${signature}" at position ${position}: ${reason}`);
  }
}
