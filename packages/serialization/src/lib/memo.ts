import { parseFlockDefinition, type FlockDefinition, type FlockDefinitionInput } from '@flock-ts/config';
import { decode, encode } from '@temporalio/common/lib/encoding';
// fflate's pure-JS build: no worker_threads (its Node entry loads them for the async API, unused here)
import { Inflate, deflateSync } from 'fflate/browser';

import { compactFlockDefinition } from './compact-definition';
import { toStorableDefinition } from './definition';
import { PayloadTooLargeError, SerializationError } from './errors';
import { TEMPORAL_MEMO_WARN_BYTES, memoSize } from './memo-size';
import { assertSerializable } from './serializable';
import { stripSecrets } from './strip-secrets';
import { flockSuperjson, type SuperJsonEnvelope } from './superjson';

export { TEMPORAL_MEMO_WARN_BYTES, memoSize } from './memo-size';

/** Default limit on a memo, measured with its definition uncompressed: 256 KiB. */
export const DEFAULT_MEMO_MAX_BYTES = 256 * 1024;

/**
 * What a run may add to its memo later (`waitingFor` while it waits for a
 * person, `budgetExceeded` while a budget pauses it): a definition is
 * compressed unless the memo stays this far under {@link TEMPORAL_MEMO_WARN_BYTES}.
 */
export const MEMO_UPSERT_RESERVE_BYTES = 512;

/** Default {@link EncodeFlockMemoOptions.compressAboveBytes}: 1.5 KiB. */
export const DEFAULT_MEMO_COMPRESS_ABOVE_BYTES = TEMPORAL_MEMO_WARN_BYTES - MEMO_UPSERT_RESERVE_BYTES;

/** `workflowVersion` recorded when the definition's `temporalConfig` sets none. */
export const DEFAULT_MEMO_WORKFLOW_VERSION = 1;

/** Most bytes {@link decodeFlockMemo} inflates a compressed definition to: a definition is part of the workflow input, which Temporal caps at 2 MiB. */
export const MAX_INFLATED_DEFINITION_BYTES = 4 * 1024 * 1024;

/**
 * A Flock workflow memo, in one of two forms; `flockName`, `workflowVersion`
 * and any `extra` fields are plain JSON in both, readable in Temporal's Web
 * UI with any converter.
 * - plain: `definition` is the definition as JSON, without the values
 *   `parseFlockDefinition` restores (defaults); `definitionMeta` (superjson's
 *   description of Dates, Maps, BigInts, ... inside it) only when needed.
 *   Memos written before compaction have the whole definition here.
 * - compressed (when the plain form would be over
 *   {@link EncodeFlockMemoOptions.compressAboveBytes}): `agents` names the
 *   agents and `definitionDeflated` holds the same definition as a superjson
 *   envelope's JSON text, UTF-8, raw DEFLATE (RFC 1951): a `binary/plain` payload.
 */
export interface FlockMemo {
  flockName: string;
  workflowVersion: number;
  definition?: unknown;
  definitionMeta?: SuperJsonEnvelope['meta'];
  agents?: string[];
  definitionDeflated?: Uint8Array;
  [extra: string]: unknown;
}

const RESERVED_KEYS = ['flockName', 'workflowVersion', 'definition', 'definitionMeta', 'agents', 'definitionDeflated'] as const;

export interface EncodeFlockMemoOptions {
  /**
   * Limit on the memo in bytes, as {@link memoSize} counts them, measured
   * with the definition uncompressed (default {@link DEFAULT_MEMO_MAX_BYTES}).
   */
  maxBytes?: number;
  /**
   * The definition is compressed when the plain memo would be over this
   * many bytes (default {@link DEFAULT_MEMO_COMPRESS_ABOVE_BYTES}; `Infinity`
   * never compresses, `0` always does).
   */
  compressAboveBytes?: number;
}

/**
 * Builds a workflow memo from a definition, secrets stripped from the
 * definition and from `extra`: `{ flockName, workflowVersion, definition,
 * definitionMeta?, ...extra }` with the definition's defaults left out, or,
 * when that is over `compressAboveBytes` (1.5 KiB, leaving room under the
 * server's 2 KiB memo warning limit for what a run upserts), `{ flockName,
 * workflowVersion, agents, definitionDeflated, ...extra }`. A memo still over
 * {@link TEMPORAL_MEMO_WARN_BYTES} works; the server logs a warning for it.
 *
 * Throws a `PayloadTooLargeError` naming the size and limit when the memo
 * with its definition uncompressed exceeds `maxBytes`; a
 * `SerializationError` when `extra` would overwrite a memo field or holds code.
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
  const envelope = flockSuperjson.serialize(compactFlockDefinition(definition) as Parameters<typeof flockSuperjson.serialize>[0]);
  const head = { flockName: definition.name, workflowVersion: definition.temporalConfig.workflowVersion ?? DEFAULT_MEMO_WORKFLOW_VERSION };
  const safeExtra = stripSecrets(extra);
  const plain: FlockMemo = { ...head, definition: envelope.json, ...(envelope.meta === undefined ? {} : { definitionMeta: envelope.meta }), ...safeExtra };
  const size = memoSize(plain);
  const limit = options.maxBytes ?? DEFAULT_MEMO_MAX_BYTES;
  if (size > limit) throw new PayloadTooLargeError(`Flock memo of "${definition.name}"`, size, limit);
  if (size <= (options.compressAboveBytes ?? DEFAULT_MEMO_COMPRESS_ABOVE_BYTES)) return plain;
  const compressed: FlockMemo = { ...head, agents: definition.agents.map((agent) => agent.name), definitionDeflated: deflateEnvelope(envelope), ...safeExtra };
  return memoSize(compressed) < size ? compressed : plain;
}

/**
 * Reads the definition back from a memo made by {@link encodeFlockMemo}
 * (as returned by `handle.describe()`), in either form, and from memos of
 * earlier versions (the whole definition in `definition`), validated: a
 * corrupted definition throws a `FlockConfigError` naming the path; a memo
 * without one, or compressed bytes that do not inflate, a
 * `SerializationError` (`INVALID_MEMO`).
 *
 * @example
 * const definition = decodeFlockMemo((await handle.describe()).memo);
 */
export function decodeFlockMemo(memo: unknown): FlockDefinition {
  if (typeof memo === 'object' && memo !== null && 'definitionDeflated' in memo) {
    return parseFlockDefinition(flockSuperjson.deserialize(inflateEnvelope((memo as FlockMemo).definitionDeflated)));
  }
  if (typeof memo !== 'object' || memo === null || !('definition' in memo)) {
    throw new SerializationError('INVALID_MEMO', 'not a Flock memo: it has neither a "definition" nor a "definitionDeflated" field');
  }
  const { definition, definitionMeta } = memo as FlockMemo;
  const value = definitionMeta === undefined || definitionMeta === null ? definition : flockSuperjson.deserialize({ json: definition, meta: definitionMeta } as SuperJsonEnvelope);
  return parseFlockDefinition(value);
}

function deflateEnvelope(envelope: SuperJsonEnvelope): Uint8Array {
  return deflateSync(encode(JSON.stringify(envelope)), { level: 9 });
}

/** Input fed to the inflater at a time: DEFLATE expands at most ~1032:1, so one slice never inflates past ~1 MiB before the size check. */
const INFLATE_SLICE_BYTES = 1024;

function inflateEnvelope(bytes: unknown): SuperJsonEnvelope {
  if (!(bytes instanceof Uint8Array)) {
    throw new SerializationError('INVALID_MEMO', 'definitionDeflated of a Flock memo must be bytes (a binary/plain payload)', 'definitionDeflated');
  }
  try {
    return JSON.parse(decode(inflateBounded(bytes))) as SuperJsonEnvelope;
  } catch (error) {
    throw new SerializationError('INVALID_MEMO', `definitionDeflated of a Flock memo is unreadable: ${(error as Error).message}`, 'definitionDeflated');
  }
}

/** Inflates slice by slice, giving up once the output passes {@link MAX_INFLATED_DEFINITION_BYTES}: a small memo cannot make the reader hold gigabytes. */
function inflateBounded(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > MAX_INFLATED_DEFINITION_BYTES) throw new Error(`it inflates past ${MAX_INFLATED_DEFINITION_BYTES} bytes`);
    chunks.push(chunk);
  });
  for (let start = 0; start < bytes.length; start += INFLATE_SLICE_BYTES) {
    inflater.push(bytes.subarray(start, start + INFLATE_SLICE_BYTES), start + INFLATE_SLICE_BYTES >= bytes.length);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
