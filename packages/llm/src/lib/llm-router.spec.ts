import { AgentContext, Flock, defineAgent, type FlockRunFailedError, type StepView } from '@flock-ts/core';
import { createFakeModel, type FakeModel } from './fake-model';
import { llmRouter, type LlmRouteDecision, type LlmRouterOptions } from './llm-router';

const intake = defineAgent({ name: 'intake', description: 'Reads a support ticket', input: 'ticket: string', output: 'topic: string', evaluate: () => ({ topic: 'billing' }) });
const billing = defineAgent({
  name: 'billing',
  description: 'Answers questions about invoices and payments',
  input: 'topic: string',
  output: 'answer: string',
  evaluate: () => ({ answer: 'paid' }),
});
const outage = defineAgent({
  name: 'outage',
  description: 'Handles reports of service outages',
  input: 'topic: string',
  output: 'answer: string',
  evaluate: () => ({ answer: 'up' }),
});

function routeWith(model: FakeModel, options: Partial<LlmRouterOptions> = {}): Promise<LlmRouteDecision> {
  const router = llmRouter({ name: 'triage', model, minConfidence: 0.6, ...options });
  const flock = new Flock({ name: 'support', agents: [intake, billing, outage] });
  const view: StepView = { runId: 'r', flockName: 'support', step: 1, variables: {} };
  const context = new AgentContext({ flock, agent: intake, view });
  return Promise.resolve(router.route({ agent: intake, output: { topic: 'my invoice is wrong' }, context, candidates: flock.agents })) as Promise<LlmRouteDecision>;
}

/** The error a run rejects with (a `FlockRunFailedError` when a step failed). */
function failed(promise: Promise<unknown>): Promise<FlockRunFailedError> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error as FlockRunFailedError,
  );
}

describe('llmRouter with the AI SDK test model', () => {
  it('chooses the next agent from the agents and their descriptions', async () => {
    const model = createFakeModel({
      responses: [{ output: { nextAgent: 'billing', confidence: 0.9, reason: 'an invoice question' }, usage: { inputTokens: 50, outputTokens: 12 } }],
    });
    expect(await routeWith(model)).toEqual({
      nextAgent: 'billing',
      confidence: 0.9,
      reason: 'an invoice question',
      usage: { inputTokens: 50, outputTokens: 12, totalTokens: 62, modelCalls: 1 },
    });
    const [call] = model.calls;
    expect(call.system).toContain('Agent "intake" just finished');
    expect(call.system).toContain('- billing: Answers questions about invoices and payments (takes: topic)');
    expect(call.system).toContain('- outage: Handles reports of service outages');
    expect(call.prompt).toContain('"topic": "my invoice is wrong"');
    expect(call.responseSchema).toMatchObject({ properties: { nextAgent: { enum: ['none', 'intake', 'billing', 'outage'] } } });
  });

  it('ends the run with a reason when no agent fits', async () => {
    const model = createFakeModel({ responses: [{ output: { nextAgent: 'none', confidence: 0.95, reason: 'the ticket is spam' } }] });
    expect(await routeWith(model)).toMatchObject({ nextAgent: null, reason: 'no agent fits: the ticket is spam' });
  });

  it('ends the run below the confidence threshold, saying so', async () => {
    const model = createFakeModel({ responses: [{ output: { nextAgent: 'outage', confidence: 0.4, reason: 'maybe an outage' } }] });
    expect(await routeWith(model)).toMatchObject({
      nextAgent: null,
      confidence: 0.4,
      reason: 'confidence 0.4 in "outage" is below minConfidence 0.6: maybe an outage',
    });
  });

  it('offers only the agents it is given', async () => {
    const model = createFakeModel({ responses: [{ output: { nextAgent: 'outage', confidence: 1, reason: 'r' } }] });
    await routeWith(model, { agents: ['billing', 'outage'] });
    expect(model.calls[0].system).not.toContain('- intake:');
    expect(model.calls[0].responseSchema).toMatchObject({ properties: { nextAgent: { enum: ['none', 'billing', 'outage'] } } });
  });

  it('rejects a choice that is not an agent as a ModelOutputError, after telling the model once', async () => {
    const wrong = { output: { nextAgent: 'sales', confidence: 1, reason: 'r' } };
    const model = createFakeModel({ responses: [wrong, wrong] });
    await expect(routeWith(model)).rejects.toMatchObject({ name: 'ModelOutputError', router: 'triage', agent: 'intake', nonRetryable: true });
    expect(model.calls[1].prompt).toContain('Your answer could not be used: nextAgent');
  });

  it('hands off inside a flock run and ends it when nothing fits', async () => {
    const model = createFakeModel({
      responses: [{ output: { nextAgent: 'billing', confidence: 0.8, reason: 'invoice' } }, { output: { nextAgent: 'none', confidence: 0.9, reason: 'answered' } }],
    });
    const triage = llmRouter({ name: 'triage', model, agents: ['billing', 'outage'] });
    const flock = new Flock({
      name: 'support',
      routers: [triage],
      agents: [{ ...intakeOptions, next: { router: 'triage' } }, { ...billingOptions, next: { router: 'triage' } }, outage],
    });
    const result = await flock.run({ startAgent: 'intake', input: { ticket: 'invoice wrong' } });
    expect(result.steps.map((step) => [step.agent, step.nextAgent])).toEqual([
      ['intake', 'billing'],
      ['billing', null],
    ]);
  });

  it("falls back to the flock's model and names the router when there is none", async () => {
    const previous = process.env['FLOCK_MODEL'];
    delete process.env['FLOCK_MODEL'];
    try {
      const flock = new Flock({ name: 'support', agents: [{ ...intakeOptions, next: llmRouter({ name: 'triage' }) }, billing] });
      const error = await failed(flock.run({ startAgent: 'intake', input: { ticket: 't' } }));
      expect(error).toMatchObject({
        name: 'FlockRunFailedError',
        code: 'AGENT_FAILED',
        agent: 'intake',
        causeType: 'ModelConfigurationError',
        message: expect.stringContaining('Router "triage" after agent "intake": no model configured'),
      });
      expect(error.cause).toMatchObject({ name: 'RoutingError', router: 'triage', causeName: 'ModelConfigurationError', nonRetryable: true });
    } finally {
      if (previous !== undefined) process.env['FLOCK_MODEL'] = previous;
    }
  });
});

const intakeOptions = { name: 'intake', description: 'Reads a support ticket', input: 'ticket: string', output: 'topic: string', evaluate: () => ({ topic: 'billing' }) };
const billingOptions = { name: 'billing', description: 'Answers invoice questions', input: 'topic: string', output: 'answer: string', evaluate: () => ({ answer: 'paid' }) };
