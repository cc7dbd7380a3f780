import { Flock, defineAgent, defineTool, executeStep, stepContext, type ModelTurn, type ModelTurnRequest } from '@flock-ts/core';
import { createFakeModel, type FakeModel } from './fake-model';
import { modelEvaluator } from './model-evaluator';

// One model call at a time (durability 'call'), with the AI SDK test model:
// what the caller gets back, and what the model is sent.

function setup(model: FakeModel, maxToolCalls = 2) {
  const lookup = defineTool({ name: 'lookup', input: 'term: string', execute: () => 'never run here' });
  const agent = defineAgent({ name: 'researcher', input: 'topic: string', output: 'summary: string', evaluator: modelEvaluator({ model, maxToolCalls }), tools: [lookup] });
  const flock = new Flock({ name: 'turns', agents: [agent] });
  const request = { flockName: 'turns', agent: 'researcher', runId: 'r-1', step: 0, inputs: { topic: 'Temporal' }, variables: {} };
  const { context } = stepContext(flock, request);
  const turn = (extra: Partial<ModelTurnRequest>): Promise<ModelTurn> =>
    (agent.evaluator.modelTurn as NonNullable<typeof agent.evaluator.modelTurn>)({ agent, inputs: { topic: 'Temporal' }, context, tools: [lookup], toolCalls: 0, ...extra });
  return { turn, flock, request };
}

describe('modelEvaluator one model call at a time, with the AI SDK test model', () => {
  it('returns the tool calls without running them, then the output once given their results', async () => {
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'lookup', args: { term: 'workflow' }, id: 'c1' }] }, { output: { summary: 'Durable.' } }] });
    const { turn } = setup(model);
    const first = await turn({});
    expect(first).toMatchObject({ kind: 'tool-calls', calls: [{ id: 'c1', name: 'lookup', args: { term: 'workflow' } }], usage: { modelCalls: 1 } });
    if (first.kind !== 'tool-calls') throw new Error('expected tool calls');
    // the conversation is plain JSON: it crosses activities
    const conversation = JSON.parse(JSON.stringify(first.conversation)) as unknown[];
    const second = await turn({ conversation, toolResults: [{ id: 'c1', name: 'lookup', output: { found: 'a durable function' } }], toolCalls: 1 });
    expect(second).toMatchObject({ kind: 'output', output: { summary: 'Durable.' } });
    expect(model.calls[0].prompt).toContain('## topic (string)\nTemporal');
    expect(model.calls[1].toolResults).toEqual([{ toolName: 'lookup', output: { found: 'a durable function' } }]);
    expect(model.calls.map((call) => call.toolChoice)).toEqual(['auto', 'auto']);
  });

  it('refuses tool calls past maxToolCalls and offers no tools once they are spent', async () => {
    const model = createFakeModel({
      responses: [
        {
          toolCalls: [
            { name: 'lookup', args: { term: 'a' }, id: 'c1' },
            { name: 'lookup', args: { term: 'b' }, id: 'c2' },
          ],
        },
        { output: { summary: 'Enough.' } },
      ],
    });
    const { turn } = setup(model, 1);
    const first = await turn({});
    expect(first).toMatchObject({ kind: 'tool-calls', calls: [{ id: 'c1' }, { id: 'c2', refused: expect.stringContaining('budget of 1 tool calls is spent') }] });
    if (first.kind !== 'tool-calls') throw new Error('expected tool calls');
    await turn({
      conversation: first.conversation,
      toolResults: [
        { id: 'c1', name: 'lookup', output: 1 },
        { id: 'c2', name: 'lookup', refused: 'spent' },
      ],
      toolCalls: 1,
    });
    expect(model.calls[1].toolChoice).toBe('none');
  });

  it('fails for good when the model calls tools after they were spent, instead of looping', async () => {
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'lookup', args: { term: 'again' } }] }] });
    const { turn } = setup(model, 1);
    const error = turn({ conversation: [{ role: 'user', content: 'go' }], toolCalls: 1 });
    await expect(error).rejects.toMatchObject({ name: 'ModelOutputError', nonRetryable: true });
    await expect(error).rejects.toThrow('the model called tools when told to answer (tool choice "none")');
    expect(model.calls[0].toolChoice).toBe('none');
  });

  it('sends an unusable answer back once (retry), then fails with a non-retryable ModelOutputError', async () => {
    const model = createFakeModel({ responses: [{ text: 'no JSON here' }, { text: 'still none' }] });
    const { turn } = setup(model);
    const first = await turn({});
    expect(first).toMatchObject({ kind: 'retry', problem: expect.stringContaining('the answer is not a JSON object; the model answered: no JSON here') });
    if (first.kind !== 'retry') throw new Error('expected a retry');
    await expect(turn({ conversation: first.conversation, toolCalls: 0, retried: true })).rejects.toMatchObject({ name: 'ModelOutputError', nonRetryable: true });
    expect(model.calls[1].prompt).toContain('Your answer could not be used: the answer is not a JSON object');
  });

  it('gives the same output as the whole step in one call (durability step)', async () => {
    const script = () => createFakeModel({ responses: [{ text: '```json\n{"summary": "Same."}\n```' }] });
    const { turn } = setup(script());
    const { flock, request } = setup(script());
    const whole = await executeStep(flock, request);
    expect(await turn({})).toMatchObject({ kind: 'output', output: whole.output });
  });
});
