import type { FlockPayloadCodec } from '@flock-ts/serialization/codec';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/** Options of {@link flockDataConverter}. */
export interface FlockDataConverterOptions {
  /** Compression / encryption of payloads, e.g. `resolveConnection().payloadCodec`. */
  codec?: PayloadCodec | FlockPayloadCodec;
}

/**
 * The data converter of Flock clients and workers: superjson-aware JSON
 * payloads (Dates, Maps, BigInts survive), readable in the Web UI. The same
 * converter is bundled into workflow code. With a codec that encrypts,
 * failure messages and stack traces travel encrypted as well.
 *
 * @example
 * new Client({ connection, dataConverter: flockDataConverter({ codec: resolveConnection().payloadCodec }) });
 */
export function flockDataConverter(options: FlockDataConverterOptions = {}): DataConverter {
  const { codec } = options;
  return {
    payloadConverterPath: require.resolve('@flock-ts/serialization/payload-converter'),
    ...(codec ? { payloadCodecs: [codec] } : {}),
    ...(codecEncrypts(codec) ? { failureConverterPath: require.resolve('@flock-ts/serialization/encoded-failure-converter') } : {}),
  };
}

/** Whether failure texts should be encrypted too: a Flock codec with a key, or any codec we cannot inspect. */
export function codecEncrypts(codec: PayloadCodec | FlockPayloadCodec | undefined): boolean {
  if (!codec) return false;
  return 'keyId' in codec ? codec.keyId !== undefined : true;
}
