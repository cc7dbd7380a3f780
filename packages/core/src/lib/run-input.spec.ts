import { FAKE } from '@flock-ts/secrets/testing';
import { prepareRunInput } from './run-input';

describe('prepareRunInput', () => {
  it('refuses a secret-named entry, naming its path and where secrets belong', () => {
    expect(() => prepareRunInput({ input: { topic: 'x', auth: { pass: 'hunter2' } } })).toThrow(
      /input\.auth\.pass: the run input is stored in the run history and must not carry secrets/,
    );
    expect(() => prepareRunInput({ input: { apiKey: 'whatever' } })).toThrow(/input\.apiKey/);
  });

  it('keeps a correlation token, refusing a token entry only when its value looks like a credential', () => {
    expect(prepareRunInput({ input: { token: 'kill-1a2b3c4d', n: 1 } })).toEqual({ token: 'kill-1a2b3c4d', n: 1 });
    expect(() => prepareRunInput({ input: { token: FAKE.github } })).toThrow(/input\.token/);
  });

  it('cuts credentials out of free text and refuses what a run cannot store', () => {
    expect(prepareRunInput({ input: { note: `my key is ${FAKE.openai}` } })).toEqual({ note: 'my key is [redacted]' });
    expect(() => prepareRunInput({ input: { f: () => 1 } })).toThrow(/input\.f: a function/);
    expect(() => prepareRunInput({ input: 'text' })).toThrow(/input: the run input must be an object/);
    expect(() => prepareRunInput({ input: {}, runId: 'r'.repeat(201) })).toThrow(/runId: runId must be at most 200 characters/);
  });
});
