import type { Payload } from '@temporalio/common';
import { encode } from '@temporalio/common/lib/encoding';

import { payloadConverter } from './payload-converter';

/**
 * The Temporal server's memo warning limit (dynamic config
 * `limit.memoSize.warn`, default 2 KiB): a memo over it makes the server log
 * "Blob data size exceeds the warning limit" on each start, continue-as-new
 * and memo upsert. The run goes on; the server refuses a memo only over
 * `limit.memoSize.error` (2 MiB).
 */
export const TEMPORAL_MEMO_WARN_BYTES = 2 * 1024;

/**
 * Bytes the Temporal server counts for a memo: the protobuf size of the
 * `temporal.api.common.v1.Memo` message holding each field as the Flock
 * payload converter writes it (before any payload codec, which changes the
 * figure: encryption adds about 120 bytes a field).
 *
 * The server (go.temporal.io/server v1.32.1) passes `request.GetMemo().Size()`
 * to `ValidateStart` on start (service/history/api/create_workflow_util.go);
 * `Memo.Size()` is `proto.Size(memo)` (go.temporal.io/api,
 * common/v1/message.go-helpers.pb.go). Continue-as-new, child starts and
 * upserts go through `checkIfMemoSizeExceedsLimit`
 * (service/history/api/respondworkflowtaskcompleted/workflow_size_checker.go),
 * an upsert with the memo merged with the upserted fields. Both warn when
 * the size is strictly over the limit (common/util.go, `CheckEventBlobSizeLimit`).
 * Checked on a dev server: a memo this function counts at 6,106 bytes is
 * logged with `wf-size=6106`.
 *
 * @example
 * memoSize(encodeFlockMemo(definition)) <= TEMPORAL_MEMO_WARN_BYTES; // no warning in the server's log
 */
export function memoSize(memo: Record<string, unknown>): number {
  let size = 0;
  for (const [key, value] of Object.entries(memo)) {
    const payload = payloadConverter.toPayload(value);
    size += mapEntrySize(encode(key).length, payloadSize(payload));
  }
  return size;
}

/** `temporal.api.common.v1.Payload`: `map<string, bytes> metadata = 1; bytes data = 2;` (proto3: empty data is not written). */
function payloadSize(payload: Payload): number {
  let size = 0;
  for (const [name, bytes] of Object.entries(payload.metadata ?? {})) size += mapEntrySize(encode(name).length, bytes?.length ?? 0);
  const data = payload.data?.length ?? 0;
  return data === 0 ? size : size + lengthDelimitedSize(data);
}

/**
 * One entry of a protobuf map field: a length-delimited message of key
 * (field 1) and value (field 2), both always written (Go's and protobufjs's
 * map codecs write them even when empty).
 */
function mapEntrySize(keyBytes: number, valueBytes: number): number {
  return lengthDelimitedSize(lengthDelimitedSize(keyBytes) + lengthDelimitedSize(valueBytes));
}

/** A length-delimited field with a field number below 16: one tag byte, the length as a varint, the bytes. */
function lengthDelimitedSize(bytes: number): number {
  return 1 + varintSize(bytes) + bytes;
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}
