// `@flock-ts/serialization/codec`: for clients and workers only. Workflow
// code never imports this entry (a codec runs outside the workflow sandbox).
export {
  ENCODING_ENCRYPTED,
  ENCODING_GZIP,
  ENCRYPTION_KEY_ID_METADATA_KEY,
  FLOCK_CODEC_METADATA_KEY,
  createFlockPayloadCodec,
  parseEncryptionKey,
  type EncryptionKeyInput,
  type FlockPayloadCodec,
  type FlockPayloadCodecOptions,
} from './lib/payload-codec';
export { PayloadCodecError, type PayloadCodecErrorCode } from './lib/errors';
