import type { Payload } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding';

import { PayloadCodecError } from './errors';

// A payload (metadata + data) as one byte string, so a codec can compress or
// encrypt all of it: metadata such as superjson's type description can be
// as telling as the data. Layout (integers unsigned 32-bit big-endian):
//   version (1 byte = 1) | entry count | (key length | key UTF-8 | value length | value)* | data
// Written by hand rather than with Temporal's protobuf types so this file
// needs nothing beyond @temporalio/common.

const ENVELOPE_VERSION = 1;

/** Serializes a payload into the envelope bytes. */
export function payloadToEnvelope(payload: Payload): Uint8Array {
  const entries = Object.entries(payload.metadata ?? {}).map(([key, value]) => [encode(key), value ?? new Uint8Array()] as const);
  const data = payload.data ?? new Uint8Array();
  let size = 1 + 4 + data.byteLength;
  for (const [key, value] of entries) size += 8 + key.byteLength + value.byteLength;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = ENVELOPE_VERSION;
  view.setUint32(1, entries.length);
  let offset = 5;
  for (const [key, value] of entries) {
    view.setUint32(offset, key.byteLength);
    bytes.set(key, offset + 4);
    offset += 4 + key.byteLength;
    view.setUint32(offset, value.byteLength);
    bytes.set(value, offset + 4);
    offset += 4 + value.byteLength;
  }
  bytes.set(data, offset);
  return bytes;
}

/** Reads a payload back from {@link payloadToEnvelope} bytes; throws `PayloadCodecError` (`INVALID_ENCODED_PAYLOAD`) on bad bytes. */
export function envelopeToPayload(bytes: Uint8Array): Payload {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 5 || bytes[0] !== ENVELOPE_VERSION) {
    throw invalid(`unknown envelope version ${bytes[0] ?? '(empty)'}`);
  }
  const count = view.getUint32(1);
  let offset = 5;
  const take = (): Uint8Array => {
    if (offset + 4 > bytes.byteLength) throw invalid('truncated metadata');
    const length = view.getUint32(offset);
    const start = offset + 4;
    if (start + length > bytes.byteLength) throw invalid('truncated metadata');
    offset = start + length;
    return bytes.slice(start, start + length);
  };
  const metadata: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    const key = decode(take());
    metadata[key] = take();
  }
  return { metadata, data: bytes.slice(offset) };
}

function invalid(detail: string): PayloadCodecError {
  return new PayloadCodecError('INVALID_ENCODED_PAYLOAD', `Cannot read an encoded Flock payload: ${detail}`);
}
