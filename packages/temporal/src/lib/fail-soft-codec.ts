import { undecodablePayload } from '@flock-ts/serialization';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * The worker's view of a payload codec: a payload it can never decode
 * (corrupted ciphertext, not encrypted where encryption is required, a
 * decompression bomb, a broken envelope) becomes a stand-in that makes the
 * run fail, naming the reason, instead of an error that fails the workflow
 * task, which Temporal retries forever. A payload under a key id this
 * worker has no key for still fails the task: another worker (or this one,
 * redeployed with the key) can take it. Encoding is unchanged; the codec's
 * other properties (its key id) are kept.
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
            // a key this worker lacks is the worker's problem, not the payload's: the task is left to a worker that has it
            if ((error as { reason?: string }).reason === 'UNKNOWN_KEY') throw error;
            return undecodablePayload(`the payload codec cannot decode it: ${(error as Error).message}`);
          }
        }),
      );
    }
  };
  return soft;
}
