import { MAX_RUN_ID_LENGTH, checkRunIds } from './run-request';

describe('checkRunIds', () => {
  it('accepts absent ids and ids up to the limit', () => {
    expect(() => checkRunIds({})).not.toThrow();
    expect(() => checkRunIds({ runId: 'r'.repeat(MAX_RUN_ID_LENGTH), sessionId: 'chat-42' })).not.toThrow();
  });

  it('names the field and the rule for ids that are too long, empty or not strings', () => {
    expect(() => checkRunIds({ runId: 'r'.repeat(1_200) })).toThrow('runId: runId must be at most 200 characters');
    expect(() => checkRunIds({ sessionId: 's'.repeat(5_000) })).toThrow('sessionId: sessionId must be at most 200 characters');
    expect(() => checkRunIds({ runId: '' })).toThrow('runId: runId must not be empty');
    expect(() => checkRunIds({ runId: 42 })).toThrow('runId: runId must be a string');
  });
});
