import { undecodablePayload } from '@flock-ts/serialization';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * The worker's view of a payload codec: a payload it cannot decode
 * (corrupted ciphertext, a key it lacks, a decompression bomb) becomes a
 * stand-in that makes the run fail, naming the reason, instead of an error
 * that fails the workflow task, which Temporal retries forever. Encoding is
 * unchanged; the codec's other properties (its key id) are kept.
 *
 * @example
 * Worker.create({ dataConverter: flockDataConverter({ codec: failSoftCodec(codec) }), ... })
 */
export function failSoftCodec<C extends PayloadCodec>(codec: C): C {
  const soft = Object.create(codec) as C;
  soft.decode = async (payloads: Payload[]): Promise<Payload[]> => {
    try {
      return await codec.decode(payloads);
    } catch {
      // find the payload at fault; the others decode as usual
      return Promise.all(
        payloads.map(async (payload) => {
          try {
            return (await codec.decode([payload]))[0];
          } catch (error) {
            return undecodablePayload(`the payload codec cannot decode it: ${(error as Error).message}`);
          }
        }),
      );
    }
  };
  return soft;
}
