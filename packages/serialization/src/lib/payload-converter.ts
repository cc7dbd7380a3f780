/**
 * Temporal payload converter, loaded by `dataConverter.payloadConverterPath`
 * in the worker, the client and the workflow bundle. Sandbox-safe: it uses
 * only superjson and the pure helpers of `@temporalio/common`.
 */
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  METADATA_ENCODING_KEY,
  UndefinedPayloadConverter,
  ValueError,
  encodingKeys,
  encodingTypes,
  type Payload,
  type PayloadConverterWithEncoding,
} from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding';

import { PayloadCodecError } from './errors';
import { flockSuperjson, isPlainJson } from './superjson';
import { UNDECODABLE_ENCODING, undecodable } from './undecodable';

/** Payload metadata key holding superjson's `meta` (JSON, UTF-8) when a value has rich types. */
export const SUPERJSON_META_KEY = 'flock-superjson-meta';

/**
 * Writes standard `json/plain` payloads that Temporal's Web UI and every SDK
 * read; when a value holds rich types (Date, Map, Set, BigInt, undefined,
 * ...) superjson's description of them travels in the
 * {@link SUPERJSON_META_KEY} metadata entry, which other readers ignore.
 * For plain JSON values the payload is byte-identical to Temporal's own
 * `JsonPayloadConverter`, and written as fast. Like it, functions are
 * dropped and shared objects in plain data arrive as copies; unlike it,
 * circular references survive.
 *
 * @example
 * const payload = new SuperJsonPayloadConverter().toPayload({ at: new Date(0) });
 */
export class SuperJsonPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = encodingTypes.METADATA_ENCODING_JSON;

  toPayload(value: unknown): Payload | undefined {
    if (value === undefined) return undefined;
    let json: string;
    let meta: string | undefined;
    if (isPlainJson(value)) {
      json = JSON.stringify(value);
    } else {
      try {
        const result = flockSuperjson.serialize(value as Parameters<typeof flockSuperjson.serialize>[0]);
        json = JSON.stringify(result.json);
        meta = result.meta === undefined ? undefined : JSON.stringify(result.meta);
      } catch (error) {
        throw new ValueError(`Unable to convert a value to a json/plain payload: ${(error as Error).message}`, error);
      }
    }
    const metadata: Record<string, Uint8Array> = { [METADATA_ENCODING_KEY]: encodingKeys.METADATA_ENCODING_JSON };
    if (meta !== undefined) metadata[SUPERJSON_META_KEY] = encode(meta);
    return { metadata, data: encode(json) };
  }

  fromPayload<T>(payload: Payload): T {
    if (payload.data === undefined || payload.data === null) throw new ValueError('Got payload with no data');
    try {
      const json: unknown = JSON.parse(decode(payload.data));
      const metaBytes = payload.metadata?.[SUPERJSON_META_KEY];
      if (!metaBytes) return json as T;
      let meta: unknown;
      try {
        meta = JSON.parse(decode(metaBytes));
      } catch (error) {
        throw new Error(`unreadable ${SUPERJSON_META_KEY} payload metadata: ${(error as Error).message}`);
      }
      return flockSuperjson.deserialize<T>({ json, meta } as Parameters<typeof flockSuperjson.deserialize>[0]);
    } catch (error) {
      // the same bytes never decode: in a workflow its run fails on them, never a workflow task retried forever
      return undecodable(`cannot decode a json/plain payload: ${(error as Error).message}`) as T;
    }
  }
}

/**
 * Stands for a payload that a Flock codec encoded and nobody decoded: this
 * reader has no payload codec (no key). Never converts a value; reading one
 * fails with a `PayloadCodecError` saying which key id to configure, where
 * Temporal would only say "Unknown encoding".
 */
export class CodecEncodedPayloadConverter implements PayloadConverterWithEncoding {
  constructor(readonly encodingType: string) {}

  toPayload(): undefined {
    return undefined;
  }

  fromPayload<T>(payload: Payload): T {
    const keyId = payload.metadata?.['encryption-key-id'];
    if (keyId) {
      const id = decode(keyId);
      throw new PayloadCodecError(
        'ENCRYPTED_PAYLOAD',
        `Payload is encrypted (key id "${id}") and this client or worker has no payload codec: ` +
          `set FLOCK_PAYLOAD_ENCRYPTION_KEY and FLOCK_PAYLOAD_KEY_ID=${id} (or pass the codec in its data converter)`,
        id,
      );
    }
    throw new PayloadCodecError(
      'ENCRYPTED_PAYLOAD',
      `Payload is ${this.encodingType}-encoded by the Flock payload codec and this client or worker has none: ` +
        'set FLOCK_PAYLOAD_COMPRESSION=gzip (or pass the codec in its data converter)',
    );
  }
}

/** Reads the stand-in of a payload a worker's codec could not decode (see `undecodablePayload`). */
export class UndecodablePayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = UNDECODABLE_ENCODING;

  toPayload(): undefined {
    return undefined;
  }

  fromPayload<T>(payload: Payload): T {
    return undecodable(payload.data ? decode(payload.data) : 'a payload could not be decoded') as T;
  }
}

/**
 * Temporal's default converter order (undefined, binary, JSON) with the JSON
 * step made superjson-aware. Point `dataConverter.payloadConverterPath` at
 * `require.resolve('@flock-ts/serialization/payload-converter')` in the
 * worker and the client.
 *
 * @example
 * const payload = payloadConverter.toPayload(new Map([['a', 1n]]));
 * payloadConverter.fromPayload<Map<string, bigint>>(payload).get('a'); // 1n
 */
export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new SuperJsonPayloadConverter(),
  // the encodings of payload-codec.ts, spelled out: that file may not be bundled into workflow code
  new CodecEncodedPayloadConverter('binary/encrypted'),
  new CodecEncodedPayloadConverter('binary/gzip'),
  new UndecodablePayloadConverter(),
);
