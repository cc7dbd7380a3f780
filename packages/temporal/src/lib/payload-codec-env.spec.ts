import { payloadConverter } from '@flock-ts/serialization';
import { decode } from '@temporalio/common/lib/encoding';
import { resolveConnection } from './connection';
import { codecEncrypts, flockDataConverter } from './data-converter';
import { payloadCodecFromEnv } from './payload-codec-env';

const KEY = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i * 7)));
const OLD_KEY = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 255 - i)));

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('payloadCodecFromEnv', () => {
  it('is off without FLOCK_PAYLOAD_* variables', () => {
    expect(payloadCodecFromEnv({})).toBeUndefined();
    expect(payloadCodecFromEnv({ FLOCK_PAYLOAD_COMPRESSION: 'none' })).toBeUndefined();
  });

  it('compresses with FLOCK_PAYLOAD_COMPRESSION=gzip', () => {
    const codec = payloadCodecFromEnv({ FLOCK_PAYLOAD_COMPRESSION: 'GZIP' });
    expect(codec?.description).toBe('gzip');
    expect(codec?.keyId).toBeUndefined();
  });

  it('encrypts with a key and its id, and compresses first when asked', async () => {
    const codec = payloadCodecFromEnv({ FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k-2025', FLOCK_PAYLOAD_COMPRESSION: 'gzip' });
    expect(codec?.description).toBe('gzip+aes-256-gcm');
    const [encoded] = await codec!.encode([payloadConverter.toPayload({ note: 'plain words' })]);
    expect(decode(encoded.metadata!['encryption-key-id']!)).toBe('k-2025');
  });

  it('reads older runs with FLOCK_PAYLOAD_DECRYPTION_KEYS', async () => {
    const old = payloadCodecFromEnv({ FLOCK_PAYLOAD_ENCRYPTION_KEY: OLD_KEY, FLOCK_PAYLOAD_KEY_ID: 'k-2024' })!;
    const current = payloadCodecFromEnv({
      FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY,
      FLOCK_PAYLOAD_KEY_ID: 'k-2025',
      FLOCK_PAYLOAD_DECRYPTION_KEYS: `k-2024=${OLD_KEY}`,
    })!;
    const [encoded] = await old.encode([payloadConverter.toPayload('from last year')]);
    const [decoded] = await current.decode([encoded]);
    expect(payloadConverter.fromPayload(decoded)).toBe('from last year');
  });

  it('refuses unencrypted payloads with a key, unless FLOCK_PAYLOAD_ALLOW_UNENCRYPTED=true', async () => {
    const keyed = { FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k1' };
    const plain = payloadConverter.toPayload({ from: 'a client without the key' });
    const strict = payloadCodecFromEnv(keyed)!;
    expect(strict.allowsUnencrypted).toBe(false);
    await expect(strict.decode([plain])).rejects.toMatchObject({ name: 'PayloadDecodeError', reason: 'NOT_ENCRYPTED' });
    for (const value of ['false', '0', '']) expect(payloadCodecFromEnv({ ...keyed, FLOCK_PAYLOAD_ALLOW_UNENCRYPTED: value })!.allowsUnencrypted).toBe(false);
    const lenient = payloadCodecFromEnv({ ...keyed, FLOCK_PAYLOAD_ALLOW_UNENCRYPTED: 'TRUE' })!;
    expect(lenient.allowsUnencrypted).toBe(true);
    expect((await lenient.decode([plain]))[0]).toBe(plain);
  });

  it('caps decoded payloads at 4 MiB, or FLOCK_PAYLOAD_MAX_DECODED_BYTES', () => {
    expect(payloadCodecFromEnv({ FLOCK_PAYLOAD_COMPRESSION: 'gzip' })!.maxDecodedBytes).toBe(4 * 1024 * 1024);
    expect(payloadCodecFromEnv({ FLOCK_PAYLOAD_COMPRESSION: 'gzip', FLOCK_PAYLOAD_MAX_DECODED_BYTES: '8388608' })!.maxDecodedBytes).toBe(8388608);
    const keyed = { FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k1', FLOCK_PAYLOAD_MAX_DECODED_BYTES: '1000000' };
    expect(payloadCodecFromEnv(keyed)!.maxDecodedBytes).toBe(1000000);
  });

  it.each([
    [
      'a cap that is not a number',
      { FLOCK_PAYLOAD_COMPRESSION: 'gzip', FLOCK_PAYLOAD_MAX_DECODED_BYTES: '4MiB' },
      /FLOCK_PAYLOAD_MAX_DECODED_BYTES must be a positive number of bytes/,
    ],
    ['a cap of 0', { FLOCK_PAYLOAD_COMPRESSION: 'gzip', FLOCK_PAYLOAD_MAX_DECODED_BYTES: '0' }, /FLOCK_PAYLOAD_MAX_DECODED_BYTES must be a positive/],
    [
      'a non-boolean opt-out',
      { FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k1', FLOCK_PAYLOAD_ALLOW_UNENCRYPTED: 'sure' },
      /FLOCK_PAYLOAD_ALLOW_UNENCRYPTED must be true or false, got "sure"/,
    ],
    ['a key without an id', { FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY }, /FLOCK_PAYLOAD_ENCRYPTION_KEY needs FLOCK_PAYLOAD_KEY_ID/],
    ['an id without a key', { FLOCK_PAYLOAD_KEY_ID: 'k1' }, /FLOCK_PAYLOAD_KEY_ID is set without FLOCK_PAYLOAD_ENCRYPTION_KEY/],
    ['a short key', { FLOCK_PAYLOAD_ENCRYPTION_KEY: btoa('too short'), FLOCK_PAYLOAD_KEY_ID: 'k1' }, /^FLOCK_PAYLOAD_ENCRYPTION_KEY is 9 bytes/],
    ['an unknown compression', { FLOCK_PAYLOAD_COMPRESSION: 'brotli' }, /FLOCK_PAYLOAD_COMPRESSION must be gzip or none, got "brotli"/],
    ['a malformed key list', { FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k1', FLOCK_PAYLOAD_DECRYPTION_KEYS: 'nokey' }, /id=base64 pairs/],
  ])('rejects %s, naming the variable and never the key', (_what, env, message) => {
    const error = thrown(() => payloadCodecFromEnv(env));
    expect(error.name).toBe('PayloadCodecError');
    expect(error.code).toBe('INVALID_CODEC_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(KEY);
  });
});

describe('codec wiring', () => {
  const noFile = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

  it('resolveConnection carries the codec the environment asks for', () => {
    expect(resolveConnection({}, noFile).payloadCodec).toBeUndefined();
    const resolved = resolveConnection({}, { ...noFile, FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k1' });
    expect(resolved.payloadCodec?.keyId).toBe('k1');
  });

  it('flockDataConverter adds the codec, and the encoded failure converter when it encrypts', () => {
    expect(flockDataConverter()).toEqual({ payloadConverterPath: expect.stringContaining('payload-converter') });
    const gzip = payloadCodecFromEnv({ FLOCK_PAYLOAD_COMPRESSION: 'gzip' });
    expect(flockDataConverter({ codec: gzip }).failureConverterPath).toBeUndefined();
    expect(codecEncrypts(gzip)).toBe(false);
    const encrypting = payloadCodecFromEnv({ FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: 'k1' });
    const converter = flockDataConverter({ codec: encrypting });
    expect(converter.payloadCodecs).toEqual([encrypting]);
    expect(converter.failureConverterPath).toContain('encoded-failure-converter');
    // a codec we cannot inspect might encrypt: keep failure texts encoded too
    expect(codecEncrypts({ encode: async (p) => p, decode: async (p) => p })).toBe(true);
  });
});
