import { createFlockPayloadCodec, PayloadCodecError, type FlockPayloadCodec } from '@flock-ts/serialization/codec';

/** Environment variables that set up the Flock payload codec in clients and workers. */
export const PAYLOAD_CODEC_ENV = {
  /** 32 random bytes in base64 (`openssl rand -base64 32`): turns on AES-256-GCM encryption. */
  encryptionKey: 'FLOCK_PAYLOAD_ENCRYPTION_KEY',
  /** Id of that key, stored in each payload's metadata (required with a key). */
  keyId: 'FLOCK_PAYLOAD_KEY_ID',
  /** Earlier keys still needed to read older runs: `id=base64,id2=base64`. */
  decryptionKeys: 'FLOCK_PAYLOAD_DECRYPTION_KEYS',
  /** `gzip` or `none` (default). */
  compression: 'FLOCK_PAYLOAD_COMPRESSION',
  /**
   * `true` lets a client or worker with a key read payloads that are not
   * encrypted (plain JSON, gzip-only): by default it refuses them, so
   * nobody without the key can start runs on or feed data to its workers.
   */
  allowUnencrypted: 'FLOCK_PAYLOAD_ALLOW_UNENCRYPTED',
  /** Most bytes one payload may decompress to (default 4 MiB = 4194304): a cap against decompression bombs. */
  maxDecodedBytes: 'FLOCK_PAYLOAD_MAX_DECODED_BYTES',
} as const;

/**
 * The payload codec the environment asks for, or `undefined` when it asks
 * for none. Every client and worker of a namespace needs the same settings
 * (and keys): `resolveConnection` calls this, so the executor, workers,
 * `flock-worker` and `flockctl` all follow it. Throws `PayloadCodecError`
 * (`INVALID_CODEC_CONFIG`) naming the variable at fault, never its value.
 *
 * @example
 * // FLOCK_PAYLOAD_ENCRYPTION_KEY=$(openssl rand -base64 32) FLOCK_PAYLOAD_KEY_ID=2025-01 FLOCK_PAYLOAD_COMPRESSION=gzip
 * const codec = payloadCodecFromEnv(process.env); // codec.description === 'gzip+aes-256-gcm'
 */
export function payloadCodecFromEnv(env: Record<string, string | undefined>): FlockPayloadCodec | undefined {
  const key = env[PAYLOAD_CODEC_ENV.encryptionKey]?.trim();
  const keyId = env[PAYLOAD_CODEC_ENV.keyId]?.trim();
  const compression = env[PAYLOAD_CODEC_ENV.compression]?.trim().toLowerCase() || 'none';
  const oldKeys = env[PAYLOAD_CODEC_ENV.decryptionKeys]?.trim();
  const allowUnencrypted = parseBoolean(env, PAYLOAD_CODEC_ENV.allowUnencrypted);
  const maxDecodedBytes = parseByteCount(env, PAYLOAD_CODEC_ENV.maxDecodedBytes);
  const limits = maxDecodedBytes === undefined ? {} : { maxDecodedBytes };
  if (compression !== 'gzip' && compression !== 'none') {
    throw configError(`${PAYLOAD_CODEC_ENV.compression} must be gzip or none, got "${env[PAYLOAD_CODEC_ENV.compression]}"`);
  }
  if (!key) {
    if (keyId || oldKeys) {
      throw configError(`${keyId ? PAYLOAD_CODEC_ENV.keyId : PAYLOAD_CODEC_ENV.decryptionKeys} is set without ${PAYLOAD_CODEC_ENV.encryptionKey}`);
    }
    return compression === 'gzip' ? createFlockPayloadCodec({ compression, ...limits }) : undefined;
  }
  if (!keyId) throw configError(`${PAYLOAD_CODEC_ENV.encryptionKey} needs ${PAYLOAD_CODEC_ENV.keyId} (an id stored with each payload, e.g. 2025-01)`);
  try {
    return createFlockPayloadCodec({
      compression,
      allowUnencrypted,
      ...limits,
      encryption: { keyId, key, ...(oldKeys ? { decryptionKeys: parseKeyList(oldKeys) } : {}) },
    });
  } catch (error) {
    // the codec names "encryption key "<id>"": say which variable that is
    throw error instanceof PayloadCodecError ? configError(error.message.replace(`The encryption key "${keyId}"`, PAYLOAD_CODEC_ENV.encryptionKey)) : error;
  }
}

function parseKeyList(text: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) throw configError(`${PAYLOAD_CODEC_ENV.decryptionKeys} takes id=base64 pairs separated by commas`);
    keys[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return keys;
}

function parseBoolean(env: Record<string, string | undefined>, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (!value || value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  throw configError(`${name} must be true or false, got "${env[name]}"`);
}

function parseByteCount(env: Record<string, string | undefined>, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const bytes = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw configError(`${name} must be a positive number of bytes (e.g. 4194304 for 4 MiB), got "${env[name]}"`);
  return bytes;
}

function configError(message: string): PayloadCodecError {
  return new PayloadCodecError('INVALID_CODEC_CONFIG', message);
}

export { createFlockPayloadCodec, type FlockPayloadCodec, type FlockPayloadCodecOptions } from '@flock-ts/serialization/codec';
