/**
 * Errors of `@flock-ts/serialization`. Match them by `name` (or `code`),
 * never with `instanceof`: they cross the Temporal workflow sandbox and realms.
 */

/** Why a value could not be serialized or read back. */
export type SerializationErrorCode =
  /** A function, symbol, class instance or invalid Date where only data may be. */
  | 'NOT_SERIALIZABLE'
  /** Text that is not JSON. */
  | 'INVALID_JSON'
  /** A memo that lacks the Flock fields, or an `extra` key that would overwrite one. */
  | 'INVALID_MEMO'
  /** A Temporal payload whose superjson metadata cannot be read. */
  | 'INVALID_PAYLOAD';

/**
 * A value that cannot be turned into (or back from) Flock's serialized form.
 * `path` locates the offending value (`agents[0].settings.format`), `''` for the root.
 *
 * @example
 * try {
 *   serializeFlockDefinition(definition);
 * } catch (error) {
 *   if ((error as Error).name === 'SerializationError') console.error((error as SerializationError).path);
 * }
 */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
  constructor(
    readonly code: SerializationErrorCode,
    message: string,
    readonly path = '',
  ) {
    super(message);
  }
}

/**
 * An encoded value (a workflow memo) is larger than its limit. `size` and
 * `limit` are in bytes. Listed in config's `DEFAULT_NON_RETRYABLE_ERROR_TYPES`:
 * a retry produces the same bytes.
 *
 * @example
 * encodeFlockMemo(definition, {}, { maxBytes: 1024 }); // throws when the memo exceeds 1 KiB
 */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'PAYLOAD_TOO_LARGE' as const;
  constructor(
    readonly subject: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      `${subject} is ${size} bytes, over the limit of ${limit} bytes (${formatKiB(limit)}): ` +
        'shrink the definition (large settings or metadata) or raise the limit (maxBytes)',
    );
  }
}

function formatKiB(bytes: number): string {
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}
