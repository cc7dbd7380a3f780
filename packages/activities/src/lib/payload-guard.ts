import { findUnstorableResult } from '@flock-ts/engine';
import { assertPayloadSize, DEFAULT_PAYLOAD_GUARD_BYTES, PayloadTooLargeError, SerializationError } from '@flock-ts/serialization';

const HINT = 'return a reference to large data (a URL, a file path, a blob store key) instead of the data itself';

/**
 * Fails a step whose result Temporal would refuse or mangle, before it is
 * sent: values the payload converter would drop (a function, a symbol, a
 * class instance: `SerializationError`), then a result over the size limit
 * (`PayloadTooLargeError`; Temporal would otherwise reject the payload past
 * its 2 MiB limit with a less telling error). Both name the agent and are
 * non-retryable: a retry produces the same value.
 *
 * @example
 * guardStepResult('writer', { output: result.output, variables: result.variables }, result);
 */
export function guardStepResult(
  agent: string,
  parts: { output: Record<string, unknown>; variables: Record<string, unknown> },
  result: unknown,
  limit = DEFAULT_PAYLOAD_GUARD_BYTES,
): void {
  const unstorable = findUnstorableResult(agent, parts);
  if (unstorable) throw Object.assign(new SerializationError('NOT_SERIALIZABLE', unstorable.message, unstorable.path), { agent });
  guardSize(agent, result, `Output of agent "${agent}"`, HINT, limit);
}

/** Throws a non-retryable `PayloadTooLargeError` naming the agent when `value` is over the limit. */
export function guardSize(agent: string, value: unknown, subject: string, hint = HINT, limit = DEFAULT_PAYLOAD_GUARD_BYTES): void {
  try {
    assertPayloadSize(value, { subject, limit, hint });
  } catch (error) {
    throw error instanceof PayloadTooLargeError ? Object.assign(error, { agent }) : error;
  }
}
