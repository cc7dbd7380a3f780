import type { Payload } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding';

import { execFileSync } from 'node:child_process';

import { gzipBomb, gzipZeros } from './payload-codec-bomb.fixture';
import { createFlockPayloadCodec, DEFAULT_MAX_DECODED_BYTES, parseEncryptionKey, type FlockPayloadCodec } from './payload-codec';
import { payloadConverter } from './payload-converter';
import { envelopeToPayload, payloadToEnvelope } from './payload-envelope';

const KEY_A = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i + 1)));
const KEY_B = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 200 - i)));
const SECRET_TEXT = 'the launch code is swordfish-7421';

async function roundTrip(codec: FlockPayloadCodec, value: unknown): Promise<{ encoded: Payload; decoded: unknown }> {
  const [encoded] = await codec.encode([payloadConverter.toPayload(value)]);
  const [decoded] = await codec.decode([encoded]);
  return { encoded, decoded: payloadConverter.fromPayload(decoded) };
}

function text(payload: Payload): string {
  const parts = [decode(payload.data ?? new Uint8Array())];
  for (const [key, value] of Object.entries(payload.metadata ?? {})) parts.push(key, decode(value ?? new Uint8Array()));
  return parts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; reason?: string; keyId?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('createFlockPayloadCodec', () => {
  const big = { story: `${SECRET_TEXT} `.repeat(200), at: new Date(0), tags: new Set(['a', 'b']) };

  it('encrypts with AES-256-GCM: no plaintext in data or metadata, key id and encoding in metadata', async () => {
    const codec = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A } });
    const { encoded, decoded } = await roundTrip(codec, { note: SECRET_TEXT, at: new Date(5) });
    expect(decoded).toEqual({ note: SECRET_TEXT, at: new Date(5) });
    expect(text(encoded)).not.toContain('swordfish');
    expect(text(encoded)).not.toContain('Date'); // superjson's type metadata is encrypted too
    expect(decode(encoded.metadata!['encoding']!)).toBe('binary/encrypted');
    expect(decode(encoded.metadata!['encryption-key-id']!)).toBe('k1');
    expect(decode(encoded.metadata!['flock-codec']!)).toBe('aes-256-gcm');
    expect(codec.description).toBe('aes-256-gcm');
    expect(codec.keyId).toBe('k1');
  });

  it('uses a fresh IV per payload: equal values encrypt differently', async () => {
    const codec = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A } });
    const [a, b] = await codec.encode([payloadConverter.toPayload('same'), payloadConverter.toPayload('same')]);
    expect(decode(a.data!)).not.toBe(decode(b.data!));
  });

  it('compresses large payloads with gzip before encrypting them', async () => {
    const both = createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key: KEY_A } });
    const plain = payloadConverter.toPayload(big);
    const { encoded, decoded } = await roundTrip(both, big);
    expect(decoded).toEqual(big);
    expect(decode(encoded.metadata!['flock-codec']!)).toBe('gzip+aes-256-gcm');
    expect(encoded.data!.byteLength).toBeLessThan(plain.data!.byteLength / 10);
    expect(both.description).toBe('gzip+aes-256-gcm');
  });

  it('compression alone: large payloads become binary/gzip, small ones stay as they were', async () => {
    const gzip = createFlockPayloadCodec({ compression: 'gzip' });
    const { encoded, decoded } = await roundTrip(gzip, big);
    expect(decoded).toEqual(big);
    expect(decode(encoded.metadata!['encoding']!)).toBe('binary/gzip');
    const small = payloadConverter.toPayload({ a: 1 });
    const [same] = await gzip.encode([small]);
    expect(same).toBe(small);
    expect(gzip.keyId).toBeUndefined();
  });

  it('encrypts small payloads without compressing them', async () => {
    const both = createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key: KEY_A } });
    const { encoded } = await roundTrip(both, { a: 1 });
    expect(decode(encoded.metadata!['flock-codec']!)).toBe('aes-256-gcm');
  });

  it('with allowUnencrypted, passes payloads it did not write through decode unchanged', async () => {
    const codec = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A }, allowUnencrypted: true });
    const plain = payloadConverter.toPayload({ written: 'before the codec was enabled' });
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('reads payloads of a rotated-out key from decryptionKeys', async () => {
    const old = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A } });
    const rotated = createFlockPayloadCodec({ encryption: { keyId: 'k2', key: KEY_B, decryptionKeys: { k1: KEY_A } } });
    const [encoded] = await old.encode([payloadConverter.toPayload('old run')]);
    const [decoded] = await rotated.decode([encoded]);
    expect(payloadConverter.fromPayload(decoded)).toBe('old run');
    const [fresh] = await rotated.encode([payloadConverter.toPayload('new run')]);
    expect(decode(fresh.metadata!['encryption-key-id']!)).toBe('k2');
  });

  it('names the key id a reader lacks (UNKNOWN_KEY), without key material', async () => {
    const writer = createFlockPayloadCodec({ encryption: { keyId: 'prod-2025', key: KEY_A } });
    const reader = createFlockPayloadCodec({ encryption: { keyId: 'other', key: KEY_B } });
    const [encoded] = await writer.encode([payloadConverter.toPayload(SECRET_TEXT)]);
    const error = await failure(reader.decode([encoded]));
    expect(error.name).toBe('PayloadDecodeError');
    expect(error.reason).toBe('UNKNOWN_KEY');
    expect(error.keyId).toBe('prod-2025');
    expect(error.message).toContain('key id "prod-2025"');
    expect(error.message).toContain('FLOCK_PAYLOAD_KEY_ID=prod-2025');
    expect(error.message).not.toContain(KEY_B);
  });

  it('fails DECRYPTION_FAILED when the key of that id is a different key', async () => {
    const writer = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A } });
    const reader = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_B } });
    const [encoded] = await writer.encode([payloadConverter.toPayload(SECRET_TEXT)]);
    const error = await failure(reader.decode([encoded]));
    expect(error).toMatchObject({ name: 'PayloadDecodeError', reason: 'DECRYPTION_FAILED', keyId: 'k1' });
    expect(error.message).toContain('key id "k1" (corrupted ciphertext)');
  });

  it('detects altered metadata: the codec steps are bound to the ciphertext', async () => {
    const codec = createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key: KEY_A } });
    const [encoded] = await codec.encode([payloadConverter.toPayload(big)]);
    const altered = { ...encoded, metadata: { ...encoded.metadata, 'flock-codec': encode('aes-256-gcm') } };
    expect((await failure(codec.decode([altered]))).reason).toBe('DECRYPTION_FAILED');
  });

  it('detects altered ciphertext', async () => {
    const codec = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A } });
    const [encoded] = await codec.encode([payloadConverter.toPayload(SECRET_TEXT)]);
    const data = encoded.data!.slice();
    data[data.length - 1] ^= 1;
    expect((await failure(codec.decode([{ ...encoded, data }]))).reason).toBe('DECRYPTION_FAILED');
  });

  it('rejects an unknown codec step and a corrupt gzip stream', async () => {
    const codec = createFlockPayloadCodec({ compression: 'gzip' });
    const unknown = { metadata: { encoding: encode('binary/gzip'), 'flock-codec': encode('zstd') }, data: new Uint8Array([1]) };
    const error = await failure(codec.decode([unknown]));
    expect(error).toMatchObject({ name: 'PayloadDecodeError', reason: 'INVALID_ENCODED_PAYLOAD' });
    expect(error.message).toContain('"zstd"');
    const corrupt = { metadata: { encoding: encode('binary/gzip'), 'flock-codec': encode('gzip') }, data: new Uint8Array([1, 2, 3]) };
    expect((await failure(codec.decode([corrupt]))).reason).toBe('INVALID_ENCODED_PAYLOAD');
  });

  it.each([
    ['a key that is not base64', { encryption: { keyId: 'k1', key: 'not base64!!' } }, /not base64/],
    ['a key of base64 letters but no whole bytes', { encryption: { keyId: 'k1', key: 'short' } }, /not base64/],
    ['a 16-byte key', { encryption: { keyId: 'k1', key: btoa('0123456789abcdef') } }, /16 bytes; AES-256-GCM needs 32/],
    ['an empty key id', { encryption: { keyId: '', key: KEY_A } }, /Invalid encryption key id ""/],
    ['a key id with spaces', { encryption: { keyId: 'my key', key: KEY_A } }, /Invalid encryption key id "my key"/],
    ['a short decryption key', { encryption: { keyId: 'k2', key: KEY_A, decryptionKeys: { k1: btoa('short') } } }, /decryption key "k1" is 5 bytes/],
    ['an unknown compression', { compression: 'zstd' }, /Unknown payload compression "zstd"/],
    ['a cap of 0 bytes', { maxDecodedBytes: 0 }, /maxDecodedBytes must be a positive whole number/],
  ])('rejects %s with INVALID_CODEC_CONFIG', (_what, options, message) => {
    const error = thrown(() => createFlockPayloadCodec(options as never));
    expect(error.name).toBe('PayloadCodecError');
    expect(error.code).toBe('INVALID_CODEC_CONFIG');
    expect(error.message).toMatch(message);
  });
});

describe('decompression cap', () => {
  const MiB = 1024 * 1024;

  it('is 4 MiB by default, twice the 2 MiB Temporal payload limit', () => {
    expect(DEFAULT_MAX_DECODED_BYTES).toBe(4 * MiB);
    expect(createFlockPayloadCodec({ compression: 'gzip' }).maxDecodedBytes).toBe(4 * MiB);
  });

  it('stops a gzip bomb at the cap (DECODED_TOO_LARGE), naming the cap', async () => {
    const bomb = await gzipBomb(64 * MiB);
    expect(bomb.data!.byteLength).toBeLessThan(100_000);
    const error = await failure(createFlockPayloadCodec({ compression: 'gzip' }).decode([bomb]));
    expect(error).toMatchObject({ name: 'PayloadDecodeError', reason: 'DECODED_TOO_LARGE' });
    expect(error.message).toContain('more than 4194304 bytes (4 MiB)');
    expect(error.message).toContain('FLOCK_PAYLOAD_MAX_DECODED_BYTES');
  });

  it('caps readers that do not compress themselves, and opted-out strict readers', async () => {
    const bomb = await gzipBomb(8 * MiB);
    const lenient = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A }, allowUnencrypted: true });
    expect((await failure(lenient.decode([bomb]))).reason).toBe('DECODED_TOO_LARGE');
  });

  it('caps encrypted payloads too: a key holder cannot bomb a reader either', async () => {
    const codec = createFlockPayloadCodec({ encryption: { keyId: 'k1', key: KEY_A } });
    const inner = await gzipZeros(16 * MiB);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await crypto.subtle.importKey('raw', parseEncryptionKey(KEY_A) as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt']);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encode('gzip+aes-256-gcm\nk1') as Uint8Array<ArrayBuffer> }, key, inner as Uint8Array<ArrayBuffer>),
    );
    const data = new Uint8Array(12 + sealed.byteLength);
    data.set(iv);
    data.set(sealed, 12);
    const bomb = {
      metadata: { encoding: encode('binary/encrypted'), 'flock-codec': encode('gzip+aes-256-gcm'), 'encryption-key-id': encode('k1') },
      data,
    };
    expect((await failure(codec.decode([bomb]))).reason).toBe('DECODED_TOO_LARGE');
  });

  it('is configurable; payloads over the cap are not compressed, so the writer reads back all it writes', async () => {
    const small = createFlockPayloadCodec({ compression: 'gzip', maxDecodedBytes: 1000 });
    expect((await failure(small.decode([await gzipBomb(1001)]))).message).toContain('more than 1000 bytes');
    const { encoded, decoded } = await roundTrip(small, { text: 'a'.repeat(5000) });
    expect(decoded).toEqual({ text: 'a'.repeat(5000) });
    expect(encoded.metadata!['flock-codec']).toBeUndefined();
    // exactly at the cap decompresses; 1000 zero bytes are just not an envelope
    expect((await failure(small.decode([await gzipBomb(1000)]))).reason).toBe('INVALID_ENCODED_PAYLOAD');
  });

  it('keeps a decoding process within a few MiB of RSS on a 1 GiB bomb (prints the figures)', () => {
    const run = (mode: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['--conditions=@flock-ts/source', '--import', 'tsx', 'payload-codec-bomb.fixture.ts', '--rss-probe', mode], {
          cwd: __dirname,
          encoding: 'utf8',
        }),
      ) as { rssBeforeMiB: number; rssPeakMiB: number; rssGrowthMiB: number; bombBytes: number; outcome: string };
    const capped = run('capped');
    const strict = run('strict');
    console.log(
      `1 GiB gzip bomb (${capped.bombBytes} bytes): capped reader RSS ${capped.rssBeforeMiB} -> ${capped.rssPeakMiB} MiB; ` +
        `strict reader ${strict.rssBeforeMiB} -> ${strict.rssPeakMiB} MiB`,
    );
    expect(capped.outcome).toMatch(/^PayloadDecodeError \(DECODED_TOO_LARGE\)/);
    expect(strict.outcome).toMatch(/^PayloadDecodeError \(NOT_ENCRYPTED\)/);
    expect(capped.rssGrowthMiB).toBeLessThan(64);
    expect(strict.rssGrowthMiB).toBeLessThan(64);
  }, 60_000);
});

describe('strict mode: a codec that encrypts reads only encrypted payloads', () => {
  const strict = createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key: KEY_A } });

  it('refuses plain JSON payloads (NOT_ENCRYPTED), saying how to opt out', async () => {
    expect(strict.allowsUnencrypted).toBe(false);
    const error = await failure(strict.decode([payloadConverter.toPayload({ from: 'a client without the key' })]));
    expect(error).toMatchObject({ name: 'PayloadDecodeError', reason: 'NOT_ENCRYPTED' });
    expect(error.message).toContain('not encrypted (encoding json/plain)');
    expect(error.message).toContain('FLOCK_PAYLOAD_ALLOW_UNENCRYPTED=true');
  });

  it('refuses gzip-only payloads before decompressing them', async () => {
    const [gzipOnly] = await createFlockPayloadCodec({ compression: 'gzip' }).encode([payloadConverter.toPayload('x'.repeat(2000))]);
    expect(decode(gzipOnly.metadata!['flock-codec']!)).toBe('gzip');
    expect((await failure(strict.decode([gzipOnly]))).reason).toBe('NOT_ENCRYPTED');
    const started = Date.now();
    expect((await failure(strict.decode([await gzipBomb(64 * 1024 * 1024)]))).reason).toBe('NOT_ENCRYPTED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses steps that put anything outside the encryption', async () => {
    const outerGzip = { metadata: { encoding: encode('binary/gzip'), 'flock-codec': encode('aes-256-gcm+gzip'), 'encryption-key-id': encode('k1') }, data: new Uint8Array(40) };
    expect((await failure(strict.decode([outerGzip]))).reason).toBe('NOT_ENCRYPTED');
  });

  it('still reads what it (or a peer with the key) wrote', async () => {
    expect((await roundTrip(strict, { ok: true })).decoded).toEqual({ ok: true });
  });

  it('opt-out (allowUnencrypted) reads plain and gzip-only payloads', async () => {
    const lenient = createFlockPayloadCodec({ compression: 'gzip', encryption: { keyId: 'k1', key: KEY_A }, allowUnencrypted: true });
    expect(lenient.allowsUnencrypted).toBe(true);
    const [gzipOnly] = await createFlockPayloadCodec({ compression: 'gzip' }).encode([payloadConverter.toPayload('x'.repeat(2000))]);
    const [decoded] = await lenient.decode([gzipOnly, payloadConverter.toPayload('plain')]);
    expect(payloadConverter.fromPayload(decoded)).toBe('x'.repeat(2000));
  });

  it('does not apply to codecs without encryption', async () => {
    const gzip = createFlockPayloadCodec({ compression: 'gzip' });
    expect(gzip.allowsUnencrypted).toBe(true);
    const plain = payloadConverter.toPayload('plain');
    expect((await gzip.decode([plain]))[0]).toBe(plain);
  });
});

describe('parseEncryptionKey', () => {
  it('accepts standard and URL-safe base64 and raw bytes', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => 250 - i);
    const standard = btoa(String.fromCharCode(...bytes));
    const urlSafe = standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(parseEncryptionKey(standard)).toEqual(bytes);
    expect(parseEncryptionKey(urlSafe)).toEqual(bytes);
    expect(parseEncryptionKey(bytes)).toBe(bytes);
  });
});

describe('payload envelope', () => {
  it('round-trips metadata and data', () => {
    const payload = { metadata: { encoding: encode('json/plain'), 'flock-superjson-meta': encode('{"v":1}') }, data: encode('{"a":1}') };
    expect(envelopeToPayload(payloadToEnvelope(payload))).toEqual(payload);
  });

  it('rejects truncated bytes', () => {
    const bytes = payloadToEnvelope({ metadata: { encoding: encode('json/plain') }, data: encode('1') });
    expect(thrown(() => envelopeToPayload(bytes.slice(0, 9))).code).toBe('INVALID_ENCODED_PAYLOAD');
    expect(thrown(() => envelopeToPayload(new Uint8Array([9, 0, 0, 0, 0]))).message).toContain('unknown envelope version 9');
  });
});

describe('reading an encoded payload without a codec', () => {
  it('names the key id to configure (ENCRYPTED_PAYLOAD) instead of "unknown encoding"', async () => {
    const codec = createFlockPayloadCodec({ encryption: { keyId: 'k9', key: KEY_A } });
    const [encoded] = await codec.encode([payloadConverter.toPayload(SECRET_TEXT)]);
    const error = thrown(() => payloadConverter.fromPayload(encoded));
    expect(error.name).toBe('PayloadCodecError');
    expect(error.code).toBe('ENCRYPTED_PAYLOAD');
    expect(error.message).toContain('key id "k9"');
    expect(error.message).toContain('FLOCK_PAYLOAD_ENCRYPTION_KEY');
  });

  it('says a compressed payload needs FLOCK_PAYLOAD_COMPRESSION', async () => {
    const codec = createFlockPayloadCodec({ compression: 'gzip', compressionMinBytes: 0 });
    const [encoded] = await codec.encode([payloadConverter.toPayload('x'.repeat(1000))]);
    expect(thrown(() => payloadConverter.fromPayload(encoded)).message).toContain('FLOCK_PAYLOAD_COMPRESSION=gzip');
  });
});
