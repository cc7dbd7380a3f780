/**
 * Errors of `@flock-ts/serialization`: {@link FlockError}s, so `instanceof`
 * works across the Temporal workflow sandbox and package copies.
 */
import { FlockError } from '@flock-ts/config/sandbox';

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
 * Not retryable: the same value fails the same way.
 *
 * @example
 * try {
 *   serializeFlockDefinition(definition);
 * } catch (error) {
 *   if (error instanceof SerializationError) console.error(error.path);
 * }
 */
export class SerializationError extends FlockError<SerializationErrorCode> {
  static {
    FlockError.named(this, 'SerializationError');
  }
  constructor(
    code: SerializationErrorCode,
    message: string,
    readonly path = '',
  ) {
    super(code, message, { nonRetryable: true });
  }
}

/**
 * An encoded value (a workflow memo) is larger than its limit. `size` and
 * `limit` are in bytes. Not retryable: a retry produces the same bytes.
 *
 * @example
 * encodeFlockMemo(definition, {}, { maxBytes: 1024 }); // throws when the memo exceeds 1 KiB
 */
export class PayloadTooLargeError extends FlockError<'PAYLOAD_TOO_LARGE'> {
  static {
    FlockError.named(this, 'PayloadTooLargeError');
  }
  constructor(
    readonly subject: string,
    readonly size: number,
    readonly limit: number,
    /** What to do about it; the default speaks of memos. */
    hint = 'shrink the definition (large settings or metadata) or raise the limit (maxBytes)',
  ) {
    super('PAYLOAD_TOO_LARGE', `${subject} is ${size} bytes, over the limit of ${limit} bytes (${formatKiB(limit)}): ${hint}`, {
      nonRetryable: true,
    });
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
 *   if (isFlockError(error, 'UNKNOWN_KEY')) console.error('start this client with the key', (error as PayloadCodecError).keyId);
 * }
 */
export class PayloadCodecError extends FlockError<PayloadCodecErrorCode> {
  static {
    FlockError.named(this, 'PayloadCodecError');
  }
  constructor(
    code: PayloadCodecErrorCode,
    message: string,
    /** The key id involved, when one is. */
    readonly keyId?: string,
  ) {
    super(code, message);
  }
}

/**
 * A payload that cannot be decoded, whatever retries (not retryable): corrupt or
 * undecodable data, a value type this reader does not know. Inside a
 * workflow such a payload fails the run (see `undecodable`), never the
 * workflow task forever.
 */
export class PayloadDecodeError extends FlockError<'PAYLOAD_UNDECODABLE'> {
  static {
    FlockError.named(this, 'PayloadDecodeError');
  }
  /** Why (`UNDECODABLE` when the converter, not the codec, could not read it). */
  readonly reason: PayloadDecodeReason;
  /** The key id involved, when one is. */
  readonly keyId?: string;
  constructor(message: string, options?: { cause?: unknown; reason?: PayloadDecodeReason; keyId?: string }) {
    super('PAYLOAD_UNDECODABLE', message, { cause: options?.cause, nonRetryable: true });
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
