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
    /** What to do about it; the default speaks of memos. */
    hint = 'shrink the definition (large settings or metadata) or raise the limit (maxBytes)',
  ) {
    super(`${subject} is ${size} bytes, over the limit of ${limit} bytes (${formatKiB(limit)}): ${hint}`);
  }
}

/** Why a payload codec could not be set up, or could not encode or decode a payload. */
export type PayloadCodecErrorCode =
  /** Codec options (or the environment variables they came from) are invalid. */
  | 'INVALID_CODEC_CONFIG'
  /** A payload was encrypted with a key id this reader has no key for. */
  | 'UNKNOWN_KEY'
  /** A payload is encrypted and this reader has no payload codec at all. */
  | 'ENCRYPTED_PAYLOAD'
  /** Decryption failed: wrong key for the key id, or tampered data. */
  | 'DECRYPTION_FAILED'
  /** Encoded bytes that are not what the codec wrote (truncated, unknown step). */
  | 'INVALID_ENCODED_PAYLOAD';

/**
 * A payload codec problem. Names the key id or the setting at fault; never
 * carries key material. A worker that meets one while decoding a workflow
 * task fails that task (Temporal retries it), so a worker started without
 * the key never makes progress on encrypted runs, nor corrupts them.
 *
 * @example
 * try {
 *   await runs.result(workflowId);
 * } catch (error) {
 *   if ((error as PayloadCodecError).code === 'UNKNOWN_KEY') console.error('start this client with the key', (error as PayloadCodecError).keyId);
 * }
 */
export class PayloadCodecError extends Error {
  override readonly name = 'PayloadCodecError';
  constructor(
    readonly code: PayloadCodecErrorCode,
    message: string,
    /** The key id involved, when one is. */
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/**
 * A payload that cannot be decoded, whatever retries: corrupt or
 * undecodable data, a value type this reader does not know. Inside a
 * workflow such a payload fails the run (see `undecodable`), never the
 * workflow task forever.
 */
export class PayloadDecodeError extends Error {
  override readonly name = 'PayloadDecodeError';
  readonly code = 'PAYLOAD_UNDECODABLE' as const;
  /** Why (`UNDECODABLE` when the converter, not the codec, could not read it). */
  readonly reason: PayloadDecodeReason;
  /** The key id involved, when one is. */
  readonly keyId?: string;
  constructor(message: string, options?: { cause?: unknown; reason?: PayloadDecodeReason; keyId?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options?.reason ?? 'UNDECODABLE';
    if (options?.keyId !== undefined) this.keyId = options.keyId;
  }
}

/** Why the payload codec refused to decode a payload ({@link PayloadDecodeError.reason}). */
export type PayloadDecodeReason =
  /** The reader encrypts and the payload is not encrypted (plain or gzip-only); opt out with `FLOCK_PAYLOAD_ALLOW_UNENCRYPTED=true`. */
  | 'NOT_ENCRYPTED'
  /** Encrypted with a key id this reader has no key for. */
  | 'UNKNOWN_KEY'
  /** Corrupted ciphertext: the key of that id is not the one it was encrypted with, or data or metadata were altered. */
  | 'DECRYPTION_FAILED'
  /** Decompresses past the reader's cap (`FLOCK_PAYLOAD_MAX_DECODED_BYTES`, default 4 MiB): a decompression bomb, or a cap set too low. */
  | 'DECODED_TOO_LARGE'
  /** Encoded bytes that are not what the codec writes (truncated, corrupt gzip, unknown or misordered step). */
  | 'INVALID_ENCODED_PAYLOAD'
  /** Undecodable by the payload converter (bad json/plain data). */
  | 'UNDECODABLE';

function formatKiB(bytes: number): string {
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}
