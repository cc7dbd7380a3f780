import { PayloadTooLargeError } from './errors';
import { payloadConverter } from './payload-converter';

/** Temporal's default limit on one payload (`limit.blobSize.error`): 2 MiB. Beyond it the server rejects the request or fails the task. */
export const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Flock's guard, below Temporal's limit: what a step returns, what a run
 * starts with and the run state an agent step receives must stay under it,
 * leaving room for the fields Temporal adds around a payload.
 */
export const DEFAULT_PAYLOAD_GUARD_BYTES = TEMPORAL_PAYLOAD_LIMIT_BYTES - 64 * 1024;

/**
 * Bytes of the Temporal payload `value` becomes with the Flock payload
 * converter (data plus metadata, before any codec).
 *
 * @example
 * payloadSize({ text: 'hi' }); // 13 + metadata
 */
export function payloadSize(value: unknown): number {
  const payload = payloadConverter.toPayload(value);
  let size = payload.data?.byteLength ?? 0;
  for (const [key, bytes] of Object.entries(payload.metadata ?? {})) size += key.length + (bytes?.byteLength ?? 0);
  return size;
}

/** Options of {@link assertPayloadSize}. */
export interface PayloadGuardOptions {
  /** What the value is, for the message: `Output of agent "writer"`. */
  subject: string;
  /** Default {@link DEFAULT_PAYLOAD_GUARD_BYTES}. */
  limit?: number;
  /** What to do about it. */
  hint?: string;
}

/**
 * Throws `PayloadTooLargeError` (non-retryable by default: a retry makes the
 * same bytes) when `value` would be a payload over the limit; returns its size.
 *
 * @example
 * assertPayloadSize(outcome, { subject: 'Output of agent "writer"', hint: 'return a reference (a URL or a file path), not the content' });
 */
export function assertPayloadSize(value: unknown, options: PayloadGuardOptions): number {
  const limit = options.limit ?? DEFAULT_PAYLOAD_GUARD_BYTES;
  const size = payloadSize(value);
  if (size > limit) {
    throw new PayloadTooLargeError(
      options.subject,
      size,
      limit,
      options.hint ?? `Temporal rejects payloads over ${TEMPORAL_PAYLOAD_LIMIT_BYTES} bytes; pass large data by reference (a URL, a file path, a blob store key)`,
    );
  }
  return size;
}
