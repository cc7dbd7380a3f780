import { parseFlockDefinition, type FlockDefinitionInput } from '@flock-ts/config';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { deflateSync } from 'fflate';

import type { PayloadTooLargeError, SerializationError } from './errors';
import { exampleFlockDefinition } from './example-flock.fixture';
import { DEFAULT_MEMO_COMPRESS_ABOVE_BYTES, DEFAULT_MEMO_MAX_BYTES, TEMPORAL_MEMO_WARN_BYTES, decodeFlockMemo, encodeFlockMemo, memoSize, type FlockMemo } from './memo';
import { payloadConverter } from './payload-converter';
import { richDefinition } from './rich-definition.fixture';
import { toJson } from './superjson';
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

/** The bytes of the `temporal.api.common.v1.Memo` message the client sends, encoded by protobufjs. */
function protoMemoBytes(memo: Record<string, unknown>): number {
  const fields = Object.fromEntries(Object.entries(memo).map(([key, value]) => [key, payloadConverter.toPayload(value)]));
  return temporal.api.common.v1.Memo.encode({ fields }).finish().length;
}

const PLAIN = { compressAboveBytes: Infinity };

/** Words in a fixed pseudo-random order, so each agent's text is its own (not a template that compresses to nothing). */
function prose(seed: number, words: number): string {
  const vocabulary = (
    'the a of to and in for with from by each every its their this that source claim draft reader market figure quote summary review policy risk tone budget ' +
    'chart legal trend checks lists weighs cites keeps drops flags rewrites compares explains counts orders finds notes asks answers reports sorts'
  ).split(' ');
  let state = seed * 7919 + 17;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
  return Array.from({ length: words }, () => vocabulary[Math.floor(next() / 65_536) % vocabulary.length]).join(' ');
}

/** A flock of `count` model agents in a chain, each with its own description and instructions of `words` words. */
function flockOf(count: number, words: number): FlockDefinitionInput {
  const name = (index: number) => `agent-${index}`;
  return {
    name: `flock-of-${count}`,
    description: prose(0, 12),
    model: 'openai:gpt-4o-mini',
    agents: Array.from({ length: count }, (_, index) => ({
      name: name(index),
      description: prose(index + 1, words),
      input: 'topic: string | what to work on, notes: string[] | findings so far',
      output: 'notes: string[] | findings so far, done: boolean',
      evaluator: { kind: 'model' as const, instructions: prose(1000 + index, words) },
      ...(index + 1 < count ? { next: { kind: 'static' as const, agent: name(index + 1) } } : {}),
    })),
    enableTemporal: true,
    temporalConfig: { taskQueue: 'agents', workflowVersion: 2 },
  };
}

describe('encodeFlockMemo', () => {
  it('holds the flock name, workflow version, definition and extra fields', () => {
    const memo = encodeFlockMemo(richDefinition(), { startAgent: 'researcher', sessionId: 's-1' }, PLAIN);
    expect(memo.flockName).toBe('research-flock');
    expect(memo.workflowVersion).toBe(3);
    expect(memo['startAgent']).toBe('researcher');
    expect(memo['sessionId']).toBe('s-1');
    expect(memo.definition).toMatchObject({ name: 'research-flock', agents: [{ name: 'researcher' }, { name: 'writer' }, { name: 'editor' }] });
  });

  it('records workflowVersion 1 when the definition sets none', () => {
    expect(encodeFlockMemo({ name: 'tiny' }).workflowVersion).toBe(1);
  });

  it('is plain JSON data in its plain form: a JSON round trip loses nothing', () => {
    const memo = encodeFlockMemo(richDefinition(), {}, PLAIN);
    expect(JSON.parse(JSON.stringify(memo))).toEqual(memo);
    expect(memo.definitionMeta).toBeDefined();
  });

  it('omits definitionMeta when the definition has no rich values', () => {
    expect('definitionMeta' in encodeFlockMemo({ name: 'tiny' })).toBe(false);
  });

  it('leaves out the values parseFlockDefinition restores', () => {
    const memo = encodeFlockMemo({ name: 'tiny', agents: [{ name: 'a', input: 'x: string', output: 'y: string', context: { history: 0, input: true } }] });
    expect(memo.definition).toEqual({ name: 'tiny', agents: [{ name: 'a', input: 'x: string', output: 'y: string', context: { input: true } }] });
  });

  it('keeps a small definition readable: plain JSON, no compressed field', () => {
    const memo = encodeFlockMemo({ name: 'tiny', agents: [{ name: 'a', input: 'x: string', output: 'y: string' }] });
    expect(Object.keys(memo)).toEqual(['flockName', 'workflowVersion', 'definition']);
    expect(memoSize(memo)).toBeLessThanOrEqual(DEFAULT_MEMO_COMPRESS_ABOVE_BYTES);
  });

  it('compresses a definition over compressAboveBytes, with the flock name, version and agent names readable next to it', () => {
    const memo = encodeFlockMemo(exampleFlockDefinition(), { startAgent: 'reader' });
    expect(memo).toEqual({
      flockName: 'corpus-report',
      workflowVersion: 1,
      agents: ['reader', 'ranker', 'reporter'],
      definitionDeflated: expect.any(Uint8Array),
      startAgent: 'reader',
    });
    expect(payloadConverter.toPayload(memo.definitionDeflated).metadata?.['encoding']).toEqual(new TextEncoder().encode('binary/plain'));
  });

  it('keeps the README example flock under the server memo warning limit (~6 KB of definition before)', () => {
    const definition = exampleFlockDefinition();
    expect(memoSize({ flockName: 'corpus-report', workflowVersion: 1, definition: parseFlockDefinition(definition) })).toBeGreaterThan(5000);
    expect(memoSize(encodeFlockMemo(definition))).toBeLessThanOrEqual(TEMPORAL_MEMO_WARN_BYTES - 512);
  });

  it('keeps a flock of 10 model agents with their own descriptions and instructions under the warning limit', () => {
    const memo = encodeFlockMemo(flockOf(10, 16));
    expect(memo.definitionDeflated).toBeInstanceOf(Uint8Array);
    expect(memoSize(memo)).toBeLessThanOrEqual(TEMPORAL_MEMO_WARN_BYTES);
  });

  it('still encodes a flock of 30 agents with long descriptions whose memo stays over the warning limit: the server logs a warning, the run goes on', () => {
    const definition = flockOf(30, 40);
    const memo = encodeFlockMemo(definition);
    expect(memo.definitionDeflated).toBeInstanceOf(Uint8Array);
    expect(memoSize(memo)).toBeGreaterThan(TEMPORAL_MEMO_WARN_BYTES);
    expect(memoSize(memo)).toBeLessThan(memoSize(encodeFlockMemo(definition, {}, PLAIN)) / 2);
    expect(decodeFlockMemo(throughTemporal(memo))).toEqual(parseFlockDefinition(definition));
  });

  it('never compresses with compressAboveBytes Infinity, always with 0', () => {
    expect(encodeFlockMemo(exampleFlockDefinition(), {}, PLAIN).definition).toMatchObject({ name: 'corpus-report' });
    expect(encodeFlockMemo(richDefinition(), {}, { compressAboveBytes: 0 }).definitionDeflated).toBeInstanceOf(Uint8Array);
  });

  it('keeps the plain form when compressing would not make the memo smaller', () => {
    expect(Object.keys(encodeFlockMemo({ name: 'tiny' }, {}, { compressAboveBytes: 0 }))).toEqual(['flockName', 'workflowVersion', 'definition']);
  });

  it('strips secrets from the definition and from extra fields, in both forms', () => {
    const def = richDefinition();
    def.temporalConfig.apiKey = 'tmprl-key-abcdef';
    def.agents[0].settings['token'] = 'settings-token-123';
    for (const compressAboveBytes of [Infinity, 0]) {
      const memo = encodeFlockMemo(def, { requester: { name: 'ann', password: 'pw-999' }, note: FAKE.openai }, { compressAboveBytes });
      const text = toJson({ ...memo, definitionDeflated: undefined, readBack: decodeFlockMemo(memo) });
      expect(text).toContain('research-team');
      for (const secret of ['tmprl-key-abcdef', 'settings-token-123', 'pw-999', FAKE.openai]) {
        expect(text).not.toContain(secret);
      }
      expect(memo['requester']).toEqual({ name: 'ann' });
    }
  });

  it('refuses extra fields that would overwrite a memo field', () => {
    for (const field of ['definition', 'agents', 'definitionDeflated']) {
      const error = thrown(() => encodeFlockMemo({ name: 'tiny' }, { [field]: {} })) as SerializationError;
      expect(error).toMatchObject({ name: 'SerializationError', code: 'INVALID_MEMO', path: field });
    }
  });

  it('refuses code in extra fields', () => {
    expect(thrown(() => encodeFlockMemo({ name: 'tiny' }, { hook: () => 1 }))).toMatchObject({ code: 'NOT_SERIALIZABLE', path: 'hook' });
  });

  it('throws PayloadTooLargeError naming size and limit above maxBytes, measured before compression', () => {
    const def = richDefinition();
    def.metadata['blob'] = 'x'.repeat(DEFAULT_MEMO_MAX_BYTES); // compresses to a few hundred bytes, and is refused all the same
    const error = thrown(() => encodeFlockMemo(def)) as PayloadTooLargeError;
    expect(error.name).toBe('PayloadTooLargeError');
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.limit).toBe(262_144);
    expect(error.size).toBeGreaterThan(262_144);
    expect(error.message).toContain(`is ${error.size} bytes, over the limit of 262144 bytes (256 KiB)`);
    expect(error.message).toContain('research-flock');
  });

  it('takes a configurable limit', () => {
    const size = memoSize(encodeFlockMemo(richDefinition(), {}, PLAIN));
    expect(() => encodeFlockMemo(richDefinition(), {}, { maxBytes: size })).not.toThrow();
    expect(thrown(() => encodeFlockMemo(richDefinition(), {}, { maxBytes: size - 1 }))).toMatchObject({ size, limit: size - 1 });
  });
});

describe('memoSize', () => {
  it('counts what the server counts: the protobuf size of the Memo message', () => {
    const memos: Array<Record<string, unknown>> = [
      { k: 'é' },
      {},
      encodeFlockMemo(richDefinition(), {}, PLAIN),
      encodeFlockMemo(exampleFlockDefinition(), { startAgent: 'reader' }),
      encodeFlockMemo(flockOf(30, 40), {}, PLAIN),
      { waitingFor: { kind: 'input', agent: 'editor', step: 2 }, empty: new Uint8Array(0), gone: undefined },
    ];
    for (const memo of memos) expect(memoSize(memo)).toBe(protoMemoBytes(memo));
  });

  it('counts UTF-8 bytes and the varint lengths of fields', () => {
    // entry: tag + length + key ("k": 3 bytes) + payload (tag + length + metadata entry + data tag + length + data)
    const metadata = 2 + (2 + 'encoding'.length) + (2 + 'json/plain'.length);
    expect(memoSize({ k: 'é' })).toBe(2 + 3 + 2 + metadata + (2 + 4));
    // 100 more bytes of data, and its length takes a second varint byte from 128 on
    expect(memoSize({ k: 'x'.repeat(200) })).toBe(memoSize({ k: 'x'.repeat(100) }) + 100 + 1);
  });
});

describe('decodeFlockMemo', () => {
  it('gives back the definition with its rich values, after the memo went through Temporal', () => {
    const def = richDefinition();
    expect(decodeFlockMemo(throughTemporal(encodeFlockMemo(def, { startAgent: 'researcher' }, PLAIN)))).toEqual(def);
  });

  it('gives back the definition from the compressed form, rich values included', () => {
    const def = richDefinition();
    const memo = encodeFlockMemo(def, { startAgent: 'researcher' }, { compressAboveBytes: 0 });
    expect(memo.definitionDeflated).toBeInstanceOf(Uint8Array);
    expect(decodeFlockMemo(throughTemporal(memo))).toEqual(def);
    expect(decodeFlockMemo(throughTemporal(encodeFlockMemo(exampleFlockDefinition())))).toEqual(parseFlockDefinition(exampleFlockDefinition()));
  });

  it('reads a memo decoded by Temporal default converter too, in both forms', () => {
    const def = richDefinition();
    expect(decodeFlockMemo(throughTemporal(encodeFlockMemo(def, {}, PLAIN), defaultPayloadConverter))).toEqual(def);
    expect(decodeFlockMemo(throughTemporal(encodeFlockMemo(def, {}, { compressAboveBytes: 0 }), defaultPayloadConverter))).toEqual(def);
  });

  it('reads memos written before compaction: the whole definition in "definition", rich values in "definitionMeta"', () => {
    // the form of runs started (and histories recorded) before: no value left out
    const old = {
      flockName: 'research-flock',
      workflowVersion: 3,
      definition: {
        name: 'research-flock',
        description: '',
        agents: [
          {
            name: 'a',
            description: '',
            input: 'x: string',
            output: 'y: string',
            evaluator: { kind: 'code' },
            tools: [],
            components: [],
            settings: { at: '2024-01-02T03:04:05.006Z' },
          },
        ],
        maxIterations: 20,
        enableTemporal: true,
        temporalConfig: { workflowVersion: 3 },
        temporalStartInProcessWorker: false,
        metadata: {},
      },
      definitionMeta: { values: { 'agents.0.settings.at': ['Date'] } },
      startAgent: 'a',
    };
    const definition = decodeFlockMemo(throughTemporal(old));
    expect(definition.agents[0].settings['at']).toEqual(new Date('2024-01-02T03:04:05.006Z'));
    expect(definition).toMatchObject({ name: 'research-flock', enableTemporal: true, maxIterations: 20, temporalConfig: { workflowVersion: 3 } });
    const { definitionMeta: _meta, ...plainOld } = old;
    expect(decodeFlockMemo(plainOld).agents[0].settings['at']).toBe('2024-01-02T03:04:05.006Z');
  });

  it('reports a corrupted definition as a FlockConfigError naming the path', () => {
    const memo = encodeFlockMemo(richDefinition(), {}, PLAIN);
    (memo.definition as { maxIterations: unknown }).maxIterations = 0;
    const error = thrown(() => decodeFlockMemo(memo));
    expect(error.name).toBe('FlockConfigError');
    expect(error.message).toContain('maxIterations');
  });

  it('reports compressed bytes that do not inflate, or are not bytes, as SerializationError INVALID_MEMO', () => {
    const memo = encodeFlockMemo(exampleFlockDefinition());
    const bytes = memo.definitionDeflated as Uint8Array;
    const broken: FlockMemo[] = [
      { ...memo, definitionDeflated: bytes.slice(0, bytes.length / 2) },
      { ...memo, definitionDeflated: new Uint8Array([1, 2, 3]) },
      { ...memo, definitionDeflated: 'not bytes' as unknown as Uint8Array },
    ];
    for (const corrupted of broken) {
      expect(thrown(() => decodeFlockMemo(corrupted))).toMatchObject({ name: 'SerializationError', code: 'INVALID_MEMO', path: 'definitionDeflated' });
    }
  });

  it('refuses compressed bytes that would inflate past 4 MiB', () => {
    const bomb = deflateSync(new Uint8Array(5 * 1024 * 1024).fill(32), { level: 9 });
    const error = thrown(() => decodeFlockMemo({ flockName: 'x', workflowVersion: 1, definitionDeflated: bomb }));
    expect(error).toMatchObject({ name: 'SerializationError', code: 'INVALID_MEMO' });
    expect(error.message).toContain('inflates past 4194304 bytes');
  });

  it('reports a memo without a definition as SerializationError INVALID_MEMO', () => {
    expect(thrown(() => decodeFlockMemo({ flockName: 'x' }))).toMatchObject({ name: 'SerializationError', code: 'INVALID_MEMO' });
    expect(thrown(() => decodeFlockMemo(undefined))).toMatchObject({ code: 'INVALID_MEMO' });
  });
});
