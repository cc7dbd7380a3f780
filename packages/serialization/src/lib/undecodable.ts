import type { Payload } from '@temporalio/common';
import { encode } from '@temporalio/common/lib/encoding';
import { inWorkflowContext } from '@temporalio/workflow';
import { PayloadDecodeError } from './errors';

/** Encoding of a payload a worker's codec could not decode: its data is the reason, in UTF-8. */
export const UNDECODABLE_ENCODING = 'flock/undecodable';

const MARKER = '__flockUndecodable';

/** What workflow code receives in place of a value that cannot be decoded: its run then fails, naming the reason. */
export interface UndecodableValue {
  [MARKER]: string;
}

/**
 * A payload standing for one that cannot be decoded (corrupt ciphertext, an
 * unknown key, a decompression bomb): the worker hands it on instead of
 * failing the workflow task, which Temporal would retry forever.
 */
export function undecodablePayload(reason: string): Payload {
  return { metadata: { encoding: encode(UNDECODABLE_ENCODING) }, data: encode(reason) };
}

/**
 * A value that cannot be decoded, for the reason given: inside workflow
 * code a marker the workflow turns into a failed run ({@link undecodableReason});
 * anywhere else a `PayloadDecodeError`.
 */
export function undecodable(reason: string): UndecodableValue {
  if (inWorkflowContext()) return { [MARKER]: reason };
  throw new PayloadDecodeError(reason);
}

/** Why `value` could not be decoded, when it is the marker of {@link undecodable}. */
export function undecodableReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const reason = (value as Partial<UndecodableValue>)[MARKER];
  return typeof reason === 'string' ? reason : undefined;
}
