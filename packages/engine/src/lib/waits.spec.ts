import { parseFlockDefinition } from '@flock-ts/config';
import { applyStep, nextStep, planRun, startRun } from './run-loop';
import { applyApproval, approvalWait, checkResponse, inputWait, timedOutApproval, timedOutInput, waitTimeoutSeconds } from './waits';

const definition = parseFlockDefinition({
  name: 'review',
  agents: [
    {
      name: 'ask',
      input: 'topic: string',
      output: 'answer: string, score: integer',
      evaluator: { kind: 'human', prompt: 'Your take?', timeoutSeconds: 60, fallback: { answer: 'none', score: 0 } },
      next: { kind: 'static', agent: 'draft' },
    },
    { name: 'draft', input: 'answer: string', output: 'text: string', approval: { onReject: 'redo', timeoutSeconds: 5 } },
    { name: 'strict', input: 'text: string', output: 'done: boolean', approval: {} },
    { name: 'silent', input: 'topic: string', output: 'answer: string', evaluator: { kind: 'human', timeoutSeconds: 1 } },
  ],
});
const plan = planRun(definition);
const result = (output: Record<string, unknown>) => ({ output, variables: {}, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' });

describe('waiting for people', () => {
  it('waits for input before a human agent only, with its prompt and output signature', () => {
    const state = startRun(plan, { startAgent: 'ask', input: { topic: 'tides' }, runId: 'r' });
    const request = nextStep(plan, state);
    expect(request && inputWait(plan, request)).toEqual({ kind: 'input', agent: 'ask', step: 0, prompt: 'Your take?', signature: 'answer: string, score: integer' });
    const other = startRun(plan, { startAgent: 'draft', input: { answer: 'x' }, runId: 'r' });
    expect(inputWait(plan, nextStep(plan, other)!)).toBeNull();
    expect(waitTimeoutSeconds(plan, inputWait(plan, request!)!)).toBe(60);
  });

  it('accepts an input that matches the output signature and refuses one that does not, naming each field', () => {
    const wait = { kind: 'input' as const, agent: 'ask', step: 0 };
    expect(checkResponse(plan, wait, { output: { answer: 'high', score: 3 }, by: 'ana' })).toEqual({ output: { answer: 'high', score: 3 }, by: 'ana' });
    expect(() => checkResponse(plan, wait, { output: { answer: 7 } })).toThrow(
      expect.objectContaining({ name: 'InvalidResponseError', issues: [expect.stringMatching(/^output\.answer: /), expect.stringMatching(/^output\.score: /)] }),
    );
    expect(() => checkResponse(plan, wait, { approved: true })).toThrow(/waits for input: answer \{ output/);
  });

  it('refuses an answer when nothing waits, or for another step', () => {
    expect(() => checkResponse(plan, null, { approved: true })).toThrow('The run is not waiting for a response');
    expect(() => checkResponse(plan, { kind: 'approval', agent: 'draft', step: 4 }, { approved: true, step: 3 })).toThrow(
      'The response is for step 3, but the run waits for step 4 (agent "draft")',
    );
    expect(() => checkResponse(plan, { kind: 'approval', agent: 'draft', step: 4 }, { output: {} })).toThrow(/waits for an approval/);
  });

  it('uses the fallback when a human agent times out, or fails the run without one', () => {
    expect(timedOutInput(plan, { kind: 'input', agent: 'ask', step: 0 })).toEqual({ output: { answer: 'none', score: 0 }, timedOut: true });
    expect(() => timedOutInput(plan, { kind: 'input', agent: 'silent', step: 0 })).toThrow(
      expect.objectContaining({ name: 'FlockRunFailedError', code: 'RESPONSE_TIMED_OUT', agent: 'silent' }),
    );
  });

  it('sends a rejected agent back to work with the comment (redo), and fails the run otherwise', () => {
    const state = startRun(plan, { startAgent: 'draft', input: { answer: 'x' }, runId: 'r' });
    const request = nextStep(plan, state)!;
    const record = applyStep(plan, state, request, result({ text: 'v1' }));
    const wait = approvalWait(plan, record)!;
    expect(wait).toEqual({ kind: 'approval', agent: 'draft', step: 0, output: { text: 'v1' } });
    applyApproval(plan, state, wait, record, { approved: false, comment: 'shorter', by: 'ana' });
    expect(state.next).toBe('draft');
    const again = nextStep(plan, state)!;
    expect(again.review).toEqual({ output: { text: 'v1' }, comment: 'shorter', by: 'ana' });
    applyStep(plan, state, again, result({ text: 'v2' }));
    expect(state.review).toBeUndefined();

    const strict = startRun(plan, { startAgent: 'strict', input: { text: 'x' }, runId: 'r' });
    const strictRecord = applyStep(plan, strict, nextStep(plan, strict)!, result({ done: true }));
    expect(() => applyApproval(plan, strict, approvalWait(plan, strictRecord)!, strictRecord, { approved: false, comment: 'no' })).toThrow(
      expect.objectContaining({ code: 'REJECTED', agent: 'strict', message: 'The output of agent "strict" (step 0) was rejected: no' }),
    );
  });

  it('decides a timed-out approval by onTimeout (reject by default)', () => {
    expect(() => timedOutApproval(plan, { kind: 'approval', agent: 'draft', step: 2 })).toThrow(expect.objectContaining({ code: 'REJECTED' }));
  });

  it('refuses, at definition time, a fallback that does not match the output signature', () => {
    expect(() =>
      parseFlockDefinition({ name: 'x', agents: [{ name: 'a', input: 'q: string', output: 'n: integer', evaluator: { kind: 'human', fallback: { n: 'many' } } }] }),
    ).toThrow(/agents\[0\]\.evaluator\.fallback\.n.*the fallback must match the output signature/);
  });
});
