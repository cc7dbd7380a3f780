/**
 * Flock's payload codec: gzip compression and AES-256-GCM encryption of
 * Temporal payloads, so a run's history, memo and results hold no plaintext.
 *
 * Runs in clients and workers only (a codec never runs in workflow code):
 * it is exported from `@flock-ts/serialization/codec`, never from the
 * package entry the workflow bundle loads. It uses Web platform globals
 * (`crypto.subtle`, `CompressionStream`) rather than Node built-ins, so the
 * same code serves Node 20+, a codec server or a browser.
 */
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding';

import { PayloadCodecError, PayloadDecodeError, type PayloadDecodeReason } from './errors';
import { envelopeToPayload, payloadToEnvelope } from './payload-envelope';

/** Metadata key listing the steps applied to the payload envelope, in order (`gzip`, `aes-256-gcm`). */
export const FLOCK_CODEC_METADATA_KEY = 'flock-codec';
/** Metadata key of the encryption key id: Temporal's conventional name, which codec servers and the Web UI show. */
export const ENCRYPTION_KEY_ID_METADATA_KEY = 'encryption-key-id';
/** `encoding` of an encrypted payload. */
export const ENCODING_ENCRYPTED = 'binary/encrypted';
/** `encoding` of a payload that is compressed only. */
export const ENCODING_GZIP = 'binary/gzip';

const GZIP = 'gzip';
const AES_GCM = 'aes-256-gcm';
const IV_BYTES = 12;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Default cap on what one payload may decompress to: 4 MiB, twice Temporal's
 * 2 MiB payload limit, so no payload Flock writes comes near it, while a
 * decompression bomb (a 1 MB gzip stream inflating to 1 GB) stops there.
 */
export const DEFAULT_MAX_DECODED_BYTES = 4 * 1024 * 1024;

// WebCrypto's key type, named without the DOM lib
type CryptoKey = Parameters<typeof crypto.subtle.encrypt>[1];

/** A 256-bit key: raw bytes or their base64 (standard or URL-safe) text. */
export type EncryptionKeyInput = Uint8Array | string;

/** Options of {@link createFlockPayloadCodec}. */
export interface FlockPayloadCodecOptions {
  /** `gzip` compresses payloads of at least `compressionMinBytes` when that makes them smaller. Default `none`. */
  compression?: 'gzip' | 'none';
  /** Smaller payloads are not worth compressing. Default 256 bytes. */
  compressionMinBytes?: number;
  /**
   * AES-256-GCM encryption. `keyId` travels in each payload's metadata
   * (`encryption-key-id`); `key` encrypts new payloads. `decryptionKeys`
   * holds earlier keys by id, so payloads written before a key rotation
   * stay readable.
   */
  encryption?: {
    keyId: string;
    key: EncryptionKeyInput;
    decryptionKeys?: Record<string, EncryptionKeyInput>;
  };
  /**
   * With `encryption`, `decode` refuses payloads that are not encrypted
   * (plain JSON, gzip-only) with a `PayloadDecodeError` (`NOT_ENCRYPTED`), so
   * nobody without the key can feed a worker data. `true` reads them, e.g.
   * runs started before encryption was turned on. Default `false`; without
   * `encryption` every payload is read.
   */
  allowUnencrypted?: boolean;
  /**
   * Most bytes one payload may decompress to; decompression stops reading
   * as soon as it passes this, with a `PayloadDecodeError`
   * (`DECODED_TOO_LARGE`). Payloads larger than this are never compressed,
   * so a reader with the same cap reads all that the codec writes. Default
   * {@link DEFAULT_MAX_DECODED_BYTES} (4 MiB).
   */
  maxDecodedBytes?: number;
}

/** A {@link PayloadCodec} that also says what it does, for logs and checks. */
export interface FlockPayloadCodec extends PayloadCodec {
  /** `gzip`, `aes-256-gcm`, `gzip+aes-256-gcm` or `none`. */
  readonly description: string;
  /** The key id new payloads are encrypted with; `undefined` when the codec does not encrypt. */
  readonly keyId: string | undefined;
  readonly compresses: boolean;
  /** Whether `decode` reads payloads that are not encrypted (always, for a codec without encryption). */
  readonly allowsUnencrypted: boolean;
  /** The cap on one payload's decompressed size. */
  readonly maxDecodedBytes: number;
}

/**
 * Makes the codec. Throws `PayloadCodecError` (`INVALID_CODEC_CONFIG`) for a
 * key that is not 32 bytes of base64, an unusable key id, an unknown
 * compression or a bad cap. Without encryption (or with `allowUnencrypted`),
 * payloads it did not write (no `flock-codec` metadata) pass through
 * `decode` unchanged, so runs started before the codec was enabled stay
 * readable; a codec that encrypts refuses them by default.
 *
 * `decode` fails with a `PayloadDecodeError` whose `reason` says why:
 * `NOT_ENCRYPTED`, `UNKNOWN_KEY`, `DECRYPTION_FAILED` (corrupted ciphertext
 * or the wrong key), `DECODED_TOO_LARGE` (over `maxDecodedBytes`) or
 * `INVALID_ENCODED_PAYLOAD`.
 *
 * Compression runs before encryption, so payload sizes still hint at how
 * repetitive the plaintext is; leave compression off where an attacker can
 * place chosen text beside secrets in one payload.
 *
 * @example
 * const codec = createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key: process.env.KEY! } });
 * const client = new Client({ connection, dataConverter: { payloadConverterPath, payloadCodecs: [codec] } });
 */
export function createFlockPayloadCodec(options: FlockPayloadCodecOptions = {}): FlockPayloadCodec {
  const compression = options.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new PayloadCodecError('INVALID_CODEC_CONFIG', `Unknown payload compression "${String(compression)}" (use gzip or none)`);
  }
  const minBytes = options.compressionMinBytes ?? 256;
  const maxDecodedBytes = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  if (!Number.isSafeInteger(maxDecodedBytes) || maxDecodedBytes <= 0) {
    throw new PayloadCodecError('INVALID_CODEC_CONFIG', `maxDecodedBytes must be a positive whole number of bytes, got ${String(maxDecodedBytes)}`);
  }
  const keyring = new Map<string, Promise<CryptoKey>>();
  const encryption = options.encryption;
  if (encryption) {
    checkKeyId(encryption.keyId);
    for (const [id, key] of Object.entries(encryption.decryptionKeys ?? {})) {
      checkKeyId(id);
      keyring.set(id, importKey(parseEncryptionKey(key, `decryption key "${id}"`)));
    }
    keyring.set(encryption.keyId, importKey(parseEncryptionKey(encryption.key, `encryption key "${encryption.keyId}"`)));
  }
  const steps = [...(compression === 'gzip' ? [GZIP] : []), ...(encryption ? [AES_GCM] : [])];
  const allowUnencrypted = !encryption || options.allowUnencrypted === true;
  // import errors surface on first use; keep them from becoming unhandled rejections before that
  for (const key of keyring.values()) key.catch(() => undefined);

  const keyFor = (keyId: string): Promise<CryptoKey> => {
    const key = keyring.get(keyId);
    if (!key) {
      throw decodeError(
        'UNKNOWN_KEY',
        `Payload is encrypted with key id "${keyId}", which this client or worker does not have` +
          (encryption ? ` (it has: ${[...keyring.keys()].join(', ')})` : '') +
          `: set FLOCK_PAYLOAD_ENCRYPTION_KEY with FLOCK_PAYLOAD_KEY_ID=${keyId}, or list the key in FLOCK_PAYLOAD_DECRYPTION_KEYS`,
        keyId,
      );
    }
    return key;
  };

  const refuseUnencrypted = (what: string): PayloadDecodeError =>
    decodeError(
      'NOT_ENCRYPTED',
      `Refusing a payload that is not encrypted (${what}): this client or worker encrypts payloads (key id "${encryption?.keyId}") ` +
        'and reads only encrypted ones, so its peers need the same FLOCK_PAYLOAD_ENCRYPTION_KEY. ' +
        'Set FLOCK_PAYLOAD_ALLOW_UNENCRYPTED=true to read unencrypted payloads (e.g. runs started before encryption was turned on)',
    );

  async function encodeOne(payload: Payload): Promise<Payload> {
    if (steps.length === 0) return payload;
    let bytes = payloadToEnvelope(payload);
    const applied: string[] = [];
    // a payload over the cap would not decompress on the way back: leave it whole (Temporal's own size limit stops it)
    if (compression === 'gzip' && bytes.byteLength >= minBytes && bytes.byteLength <= maxDecodedBytes) {
      const compressed = await pipe(bytes, new CompressionStream('gzip'));
      if (compressed.byteLength < bytes.byteLength) {
        bytes = compressed;
        applied.push(GZIP);
      }
    }
    if (!encryption) {
      // compression did not pay: the payload stays as it was, readable by anyone
      if (applied.length === 0) return payload;
      return { metadata: { [METADATA_ENCODING_KEY]: encode(ENCODING_GZIP), [FLOCK_CODEC_METADATA_KEY]: encode(GZIP) }, data: bytes };
    }
    applied.push(AES_GCM);
    const codecSteps = applied.join('+');
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(codecSteps, encryption.keyId) },
      await keyFor(encryption.keyId),
      bytes as Uint8Array<ArrayBuffer>,
    );
    const data = new Uint8Array(IV_BYTES + sealed.byteLength);
    data.set(iv);
    data.set(new Uint8Array(sealed), IV_BYTES);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: encode(ENCODING_ENCRYPTED),
        [FLOCK_CODEC_METADATA_KEY]: encode(codecSteps),
        [ENCRYPTION_KEY_ID_METADATA_KEY]: encode(encryption.keyId),
      },
      data,
    };
  }

  async function decodeOne(payload: Payload): Promise<Payload> {
    const stepsBytes = payload.metadata?.[FLOCK_CODEC_METADATA_KEY];
    if (!stepsBytes) {
      if (allowUnencrypted) return payload;
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      throw refuseUnencrypted(encoding ? `encoding ${decode(encoding)}` : 'no encoding');
    }
    const codecSteps = decode(stepsBytes);
    const applied = codecSteps.split('+');
    for (const step of applied) {
      if (step !== AES_GCM && step !== GZIP) {
        throw decodeError('INVALID_ENCODED_PAYLOAD', `Unknown Flock codec step "${step}" (this reader knows gzip and aes-256-gcm)`);
      }
    }
    // strict readers open nothing that is not authenticated first: encryption must be the outermost step
    if (!allowUnencrypted && applied[applied.length - 1] !== AES_GCM) throw refuseUnencrypted(`Flock codec steps "${codecSteps}"`);
    let bytes = payload.data ?? new Uint8Array();
    for (const step of [...applied].reverse()) {
      if (step === AES_GCM) {
        const keyIdBytes = payload.metadata?.[ENCRYPTION_KEY_ID_METADATA_KEY];
        if (!keyIdBytes) throw decodeError('INVALID_ENCODED_PAYLOAD', 'Encrypted payload without an encryption-key-id');
        const keyId = decode(keyIdBytes);
        bytes = await decrypt(bytes, await keyFor(keyId), codecSteps, keyId);
      } else {
        bytes = await inflate(bytes, maxDecodedBytes);
      }
    }
    try {
      return envelopeToPayload(bytes);
    } catch (error) {
      throw decodeError('INVALID_ENCODED_PAYLOAD', (error as Error).message, undefined, error);
    }
  }

  return {
    description: steps.length ? steps.join('+') : 'none',
    keyId: encryption?.keyId,
    compresses: compression === 'gzip',
    allowsUnencrypted: allowUnencrypted,
    maxDecodedBytes,
    encode: (payloads) => Promise.all(payloads.map(encodeOne)),
    decode: (payloads) => Promise.all(payloads.map(decodeOne)),
  };
}

/**
 * Reads a 256-bit key from raw bytes or base64 text; throws
 * `PayloadCodecError` (`INVALID_CODEC_CONFIG`) naming `what`, never the key.
 *
 * @example
 * parseEncryptionKey(process.env.FLOCK_PAYLOAD_ENCRYPTION_KEY!, 'FLOCK_PAYLOAD_ENCRYPTION_KEY').byteLength; // 32
 */
export function parseEncryptionKey(key: EncryptionKeyInput, what = 'encryption key'): Uint8Array {
  let bytes: Uint8Array;
  if (typeof key === 'string') {
    const text = key.trim().replace(/-/g, '+').replace(/_/g, '/');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
      throw new PayloadCodecError('INVALID_CODEC_CONFIG', `The ${what} is not base64: give 32 random bytes in base64 (openssl rand -base64 32)`);
    }
    let binary: string;
    try {
      binary = atob(text.padEnd(Math.ceil(text.length / 4) * 4, '='));
    } catch {
      // right alphabet, impossible length (one character too many for a byte boundary)
      throw new PayloadCodecError('INVALID_CODEC_CONFIG', `The ${what} is not base64: give 32 random bytes in base64 (openssl rand -base64 32)`);
    }
    bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } else {
    bytes = key;
  }
  if (bytes.byteLength !== KEY_BYTES) {
    throw new PayloadCodecError('INVALID_CODEC_CONFIG', `The ${what} is ${bytes.byteLength} bytes; AES-256-GCM needs ${KEY_BYTES} (openssl rand -base64 32)`);
  }
  return bytes;
}

function checkKeyId(keyId: string): void {
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) {
    throw new PayloadCodecError('INVALID_CODEC_CONFIG', `Invalid encryption key id "${String(keyId)}": 1 to 64 letters, digits, dots, colons, underscores or dashes`);
  }
}

function importKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Binds the ciphertext to its metadata: a payload whose steps or key id were altered does not decrypt. */
function associatedData(codecSteps: string, keyId: string): Uint8Array<ArrayBuffer> {
  return encode(`${codecSteps}\n${keyId}`) as Uint8Array<ArrayBuffer>;
}

async function decrypt(data: Uint8Array, key: CryptoKey, codecSteps: string, keyId: string): Promise<Uint8Array> {
  if (data.byteLength < IV_BYTES + 16) throw decodeError('INVALID_ENCODED_PAYLOAD', 'Encrypted payload is truncated', keyId);
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: data.slice(0, IV_BYTES), additionalData: associatedData(codecSteps, keyId) }, key, data.slice(IV_BYTES));
    return new Uint8Array(plain);
  } catch {
    throw decodeError(
      'DECRYPTION_FAILED',
      `Cannot decrypt a payload with key id "${keyId}" (corrupted ciphertext): this reader's key of that id is not the one it was encrypted with, or the payload was altered`,
      keyId,
    );
  }
}

function decodeError(reason: PayloadDecodeReason, message: string, keyId?: string, cause?: unknown): PayloadDecodeError {
  return new PayloadDecodeError(message, { reason, ...(keyId !== undefined ? { keyId } : {}), ...(cause !== undefined ? { cause } : {}) });
}

/**
 * Gunzips `bytes`, reading the output chunk by chunk and stopping (cancelling
 * the stream, whose backpressure pauses zlib) as soon as it passes `limit`:
 * memory stays within about `limit`, whatever the stream would inflate to.
 */
async function inflate(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // a failure shows on the readable side too; this keeps it from being reported twice
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (error) {
      throw decodeError('INVALID_ENCODED_PAYLOAD', `Cannot decompress a Flock payload: ${(error as Error).message}`, undefined, error);
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      chunks.length = 0;
      await reader.cancel().catch(() => undefined);
      await writer.abort().catch(() => undefined);
      throw decodeError(
        'DECODED_TOO_LARGE',
        `A Flock payload decompresses to more than ${limit} bytes (${formatMiB(limit)}), over the cap on decoded payloads ` +
          `(gzip data of ${bytes.byteLength} bytes; decompression stopped there): a decompression bomb, or a cap set too low ` +
          '(FLOCK_PAYLOAD_MAX_DECODED_BYTES, default 4 MiB)',
      );
    }
    chunks.push(next.value);
  }
  await written.catch((error: Error) => {
    throw decodeError('INVALID_ENCODED_PAYLOAD', `Cannot decompress a Flock payload: ${error.message}`, undefined, error);
  });
  return concat(chunks, size);
}

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 100) / 100} MiB`;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Every chunk of a stream of bytes, joined: unbounded (decoding uses the capped `inflate`). */
export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  return concat(chunks, size);
}

/** `bytes` through a (de)compression stream, whole. */
export async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  // a failure shows on the readable side too; this keeps it from being reported twice
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => undefined);
  const out = await readAll(transform.readable);
  await written;
  return out;
}
