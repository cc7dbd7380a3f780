import { parseFlockDefinition, type FlockDefinition, type FlockDefinitionInput } from '@flock-ts/config';
import { encode } from '@temporalio/common/lib/encoding';

import { PayloadTooLargeError, SerializationError } from './errors';
import { toStorableDefinition } from './definition';
import { payloadConverter } from './payload-converter';
import { assertSerializable } from './serializable';
import { stripSecrets } from './strip-secrets';
import { flockSuperjson, type SuperJsonEnvelope } from './superjson';

/** Default limit of an encoded memo: 256 KiB. */
export const DEFAULT_MEMO_MAX_BYTES = 256 * 1024;

/** `workflowVersion` recorded when the definition's `temporalConfig` sets none. */
export const DEFAULT_MEMO_WORKFLOW_VERSION = 1;

/**
 * A Flock workflow memo: plain JSON data, readable in Temporal's Web UI
 * with any converter. `definitionMeta` (superjson's description of Dates,
 * Maps, BigInts, ... inside `definition`) is present only when needed.
 */
export interface FlockMemo {
  flockName: string;
  workflowVersion: number;
  definition: unknown;
  definitionMeta?: SuperJsonEnvelope['meta'];
  [extra: string]: unknown;
}

const RESERVED_KEYS = ['flockName', 'workflowVersion', 'definition', 'definitionMeta'] as const;

export interface EncodeFlockMemoOptions {
  /** Limit on the encoded memo in bytes (default {@link DEFAULT_MEMO_MAX_BYTES}). */
  maxBytes?: number;
}

/**
 * Builds a workflow memo from a definition: `{ flockName, workflowVersion,
 * definition, definitionMeta?, ...extra }`, with secrets stripped from the
 * definition and from `extra`. Throws a `PayloadTooLargeError` naming the size
 * and limit when the encoded memo (the payload bytes Temporal stores, before
 * any codec) exceeds `maxBytes`; a `SerializationError` when `extra` would
 * overwrite a memo field or holds code.
 *
 * @example
 * await client.workflow.start(flockWorkflow, { memo: encodeFlockMemo(definition, { startAgent: 'writer' }), ... });
 */
export function encodeFlockMemo(def: FlockDefinition | FlockDefinitionInput, extra: Record<string, unknown> = {}, options: EncodeFlockMemoOptions = {}): FlockMemo {
  const clash = RESERVED_KEYS.find((key) => key in extra);
  if (clash) {
    throw new SerializationError('INVALID_MEMO', `memo extra must not set "${clash}": it is a Flock memo field`, clash);
  }
  assertSerializable(extra);
  const definition = toStorableDefinition(def);
  const { json, meta } = flockSuperjson.serialize(definition as unknown as Parameters<typeof flockSuperjson.serialize>[0]);
  const memo: FlockMemo = {
    flockName: definition.name,
    workflowVersion: definition.temporalConfig.workflowVersion ?? DEFAULT_MEMO_WORKFLOW_VERSION,
    definition: json,
    ...(meta === undefined ? {} : { definitionMeta: meta }),
    ...stripSecrets(extra),
  };
  const limit = options.maxBytes ?? DEFAULT_MEMO_MAX_BYTES;
  const size = memoSize(memo);
  if (size > limit) throw new PayloadTooLargeError(`Flock memo of "${definition.name}"`, size, limit);
  return memo;
}

/**
 * Reads the definition back from a memo made by {@link encodeFlockMemo}
 * (as returned by `handle.describe()`), validated: a corrupted definition
 * throws a `FlockConfigError` naming the path; a memo without one throws a
 * `SerializationError` (`INVALID_MEMO`).
 *
 * @example
 * const definition = decodeFlockMemo((await handle.describe()).memo);
 */
export function decodeFlockMemo(memo: unknown): FlockDefinition {
  if (typeof memo !== 'object' || memo === null || !('definition' in memo)) {
    throw new SerializationError('INVALID_MEMO', 'not a Flock memo: it has no "definition" field');
  }
  const { definition, definitionMeta } = memo as FlockMemo;
  const value = definitionMeta === undefined || definitionMeta === null ? definition : flockSuperjson.deserialize({ json: definition, meta: definitionMeta } as SuperJsonEnvelope);
  return parseFlockDefinition(value);
}

/** Bytes Temporal stores for a memo: each field's name plus its payload's data and metadata. */
export function memoSize(memo: Record<string, unknown>): number {
  let size = 0;
  for (const [key, value] of Object.entries(memo)) {
    const payload = payloadConverter.toPayload(value);
    size += encode(key).length + (payload.data?.length ?? 0);
    for (const [name, bytes] of Object.entries(payload.metadata ?? {})) size += encode(name).length + (bytes?.length ?? 0);
  }
  return size;
}
