import { defaultPayloadConverter } from '@temporalio/common';

import type { PayloadTooLargeError, SerializationError } from './errors';
import { DEFAULT_MEMO_MAX_BYTES, decodeFlockMemo, encodeFlockMemo, memoSize } from './memo';
import { payloadConverter } from './payload-converter';
import { richDefinition } from './rich-definition.fixture';
import { FAKE } from '@flock-ts/secrets/testing';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** What a memo looks like after Temporal stored it: each field through the payload converter. */
function throughTemporal(memo: Record<string, unknown>, converter = payloadConverter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(memo).map(([key, value]) => [key, converter.fromPayload(converter.toPayload(value))]));
}

describe('encodeFlockMemo', () => {
  it('holds the flock name, workflow version, definition and extra fields', () => {
    const memo = encodeFlockMemo(richDefinition(), { startAgent: 'researcher', sessionId: 's-1' });
    expect(memo.flockName).toBe('research-flock');
    expect(memo.workflowVersion).toBe(3);
    expect(memo['startAgent']).toBe('researcher');
    expect(memo['sessionId']).toBe('s-1');
    expect(memo.definition).toMatchObject({ name: 'research-flock', agents: [{ name: 'researcher' }, { name: 'writer' }, { name: 'editor' }] });
  });

  it('records workflowVersion 1 when the definition sets none', () => {
    expect(encodeFlockMemo({ name: 'tiny' }).workflowVersion).toBe(1);
  });

  it('is plain JSON data: a JSON round trip loses nothing', () => {
    const memo = encodeFlockMemo(richDefinition());
    expect(JSON.parse(JSON.stringify(memo))).toEqual(memo);
    expect(memo.definitionMeta).toBeDefined();
  });

  it('omits definitionMeta when the definition has no rich values', () => {
    expect('definitionMeta' in encodeFlockMemo({ name: 'tiny' })).toBe(false);
  });

  it('strips secrets from the definition and from extra fields', () => {
    const def = richDefinition();
    def.temporalConfig.apiKey = 'tmprl-key-abcdef';
    def.agents[0].settings['token'] = 'settings-token-123';
    const memo = encodeFlockMemo(def, { requester: { name: 'ann', password: 'pw-999' }, note: FAKE.openai });
    const text = JSON.stringify(memo);
    for (const secret of ['tmprl-key-abcdef', 'settings-token-123', 'pw-999', FAKE.openai]) {
      expect(text).not.toContain(secret);
    }
    expect(memo['requester']).toEqual({ name: 'ann' });
  });

  it('refuses extra fields that would overwrite a memo field', () => {
    const error = thrown(() => encodeFlockMemo({ name: 'tiny' }, { definition: {} })) as SerializationError;
    expect(error).toMatchObject({ name: 'SerializationError', code: 'INVALID_MEMO', path: 'definition' });
  });

  it('refuses code in extra fields', () => {
    expect(thrown(() => encodeFlockMemo({ name: 'tiny' }, { hook: () => 1 }))).toMatchObject({ code: 'NOT_SERIALIZABLE', path: 'hook' });
  });

  it('throws PayloadTooLargeError naming size and limit above maxBytes', () => {
    const def = richDefinition();
    def.metadata['blob'] = 'x'.repeat(DEFAULT_MEMO_MAX_BYTES);
    const error = thrown(() => encodeFlockMemo(def)) as PayloadTooLargeError;
    expect(error.name).toBe('PayloadTooLargeError');
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.limit).toBe(262_144);
    expect(error.size).toBeGreaterThan(262_144);
    expect(error.message).toContain(`is ${error.size} bytes, over the limit of 262144 bytes (256 KiB)`);
    expect(error.message).toContain('research-flock');
  });

  it('takes a configurable limit', () => {
    const memo = encodeFlockMemo(richDefinition());
    const size = memoSize(memo);
    expect(() => encodeFlockMemo(richDefinition(), {}, { maxBytes: size })).not.toThrow();
    expect(thrown(() => encodeFlockMemo(richDefinition(), {}, { maxBytes: size - 1 }))).toMatchObject({ size, limit: size - 1 });
  });
});

describe('memoSize', () => {
  it('counts field names, payload data and metadata in UTF-8 bytes', () => {
    const payload = payloadConverter.toPayload('é');
    const metadataBytes = Object.entries(payload.metadata ?? {}).reduce((sum, [k, v]) => sum + k.length + (v?.length ?? 0), 0);
    // "é" is 2 bytes, quoted as JSON: 4 bytes of data; the key "k" is 1.
    expect(memoSize({ k: 'é' })).toBe(1 + 4 + metadataBytes);
  });
});

describe('decodeFlockMemo', () => {
  it('gives back the definition with its rich values, after the memo went through Temporal', () => {
    const def = richDefinition();
    expect(decodeFlockMemo(throughTemporal(encodeFlockMemo(def, { startAgent: 'researcher' })))).toEqual(def);
  });

  it('reads a memo decoded by Temporal default converter too', () => {
    const def = richDefinition();
    expect(decodeFlockMemo(throughTemporal(encodeFlockMemo(def), defaultPayloadConverter))).toEqual(def);
  });

  it('reports a corrupted definition as a FlockConfigError naming the path', () => {
    const memo = encodeFlockMemo(richDefinition());
    (memo.definition as { maxIterations: unknown }).maxIterations = 0;
    const error = thrown(() => decodeFlockMemo(memo));
    expect(error.name).toBe('FlockConfigError');
    expect(error.message).toContain('maxIterations');
  });

  it('reports a memo without a definition as SerializationError INVALID_MEMO', () => {
    expect(thrown(() => decodeFlockMemo({ flockName: 'x' }))).toMatchObject({ name: 'SerializationError', code: 'INVALID_MEMO' });
    expect(thrown(() => decodeFlockMemo(undefined))).toMatchObject({ code: 'INVALID_MEMO' });
  });
});
