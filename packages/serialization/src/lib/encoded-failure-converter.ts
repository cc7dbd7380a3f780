/**
 * The failure converter of Flock clients and workers whose payload codec
 * encrypts: failure messages and stack traces move into the failure's
 * `encodedAttributes` payload, which the codec encrypts, so error texts
 * (which often quote inputs) leave no plaintext in the history. Readers
 * restore them transparently. Loaded by path (`failureConverterPath`) and
 * bundled into workflow code, so it is sandbox-safe.
 */
import { DefaultFailureConverter } from '@temporalio/common';

/**
 * @example
 * const dataConverter = { payloadConverterPath, failureConverterPath: require.resolve('@flock-ts/serialization/encoded-failure-converter'), payloadCodecs: [codec] };
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
