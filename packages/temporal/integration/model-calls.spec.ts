import { Flock, defineAgent, defineTool, type AgentOptions, type FlockRunEvent } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInRequest } from '@flock-ts/llm/testing';
import { rejection, testClient, testServer, uniqueQueue } from './harness';
import { readStepLedger, temporal } from '../src';

// Model agents on the real server against the OpenAI-compatible stand-in over
// HTTP, in both durability modes: what history records, how answers wrapped
// in code fences or unusable are handled, and where a budget stops a step.

let server: OpenAICompatibleStandIn;
const savedBaseUrl = process.env['FLOCK_OPENAI_BASE_URL'];

afterAll(async () => {
  if (savedBaseUrl === undefined) delete process.env['FLOCK_OPENAI_BASE_URL'];
  else process.env['FLOCK_OPENAI_BASE_URL'] = savedBaseUrl;
  await server?.close();
});

beforeEach(async () => {
  // a stand-in of its own per test: no scripted reply left over from another
  await server?.close();
  server = await startOpenAICompatibleStandIn();
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
});

type Durability = 'step' | 'call';

const toolResults = (request: StandInRequest) => (request.body['messages'] as Array<{ role: string }>).filter((message) => message.role === 'tool').length;

/** A model that asks for `lookups` tool calls, one per model call, then answers with `answer`. */
function toolLoop(lookups: number, answer: string) {
  return (request: StandInRequest) =>
    toolResults(request) < lookups
      ? { toolCalls: [{ name: 'lookup', args: { term: `t${toolResults(request)}` } }] }
      : { text: answer, usage: { promptTokens: 10, completionTokens: 5 } };
}

function researchFlock(name: string, durability: Durability, extra: Partial<AgentOptions> = {}, flockExtra: Record<string, unknown> = {}) {
  const { address, namespace } = testServer();
  const seen: string[] = [];
  const lookup = defineTool({
    name: 'lookup',
    description: 'Looks a term up',
    input: 'term: string',
    execute: ({ term }, ctx) => {
      let topic = '-';
      try {
        topic = String(ctx.input['topic']);
      } catch {
        // ctx.input only for agents that declare context: { input: true }
      }
      seen.push(`${term} ${ctx.idempotencyKey} ${topic}`);
      ctx.setVariable('lookups', (ctx.getVariable<number>('lookups') ?? 0) + 1);
      return { definition: `${term} means durable` };
    },
  });
  const flock = new Flock({
    name,
    model: 'openai-compatible:stand-in-model',
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig: {
      serverUrl: address,
      namespace,
      taskQueue: uniqueQueue(name),
      activityDefaults: { retryInitialIntervalSeconds: 0.1, retryBackoffCoefficient: 1, retryMaxAttempts: 3, durability },
    },
    ...flockExtra,
    agents: [
      defineAgent({
        name: 'researcher',
        description: 'Researches a topic',
        input: 'topic: string',
        output: 'summary: string, terms: integer',
        evaluator: modelEvaluator(),
        tools: [lookup],
        ...extra,
      } as AgentOptions),
    ],
  });
  return { flock, seen };
}

async function activityTypes(workflowId: string): Promise<string[]> {
  const client = await testClient();
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((event) =>
      event.activityTaskScheduledEventAttributes?.activityType?.name ? [event.activityTaskScheduledEventAttributes.activityType.name] : [],
    );
  } finally {
    await client.connection.close();
  }
}

describe("durability 'call' on the real server (OpenAI-compatible stand-in over HTTP)", () => {
  it('records each model call and tool call as its own activity, with tool-call idempotency keys, variables and usage carried through', async () => {
    server.reply(...Array.from({ length: 3 }, () => toolLoop(2, '{"summary": "Durable.", "terms": 2}')));
    const { flock, seen } = researchFlock('calls-loop', 'call');
    const result = await flock.run({ startAgent: 'researcher', input: { topic: 'Temporal' } });

    expect(result.output).toEqual({ summary: 'Durable.', terms: 2 });
    expect(result.variables).toEqual({ lookups: 2 });
    expect(result.usage).toMatchObject({ modelCalls: 3 });
    expect(seen).toEqual([expect.stringMatching(/^t0 .+:0:researcher:tool:1 -$/), expect.stringMatching(/^t1 .+:0:researcher:tool:2 -$/)]);
    expect(await activityTypes(result.temporal.workflowId)).toEqual(['callAgentModel', 'callAgentTool', 'callAgentModel', 'callAgentTool', 'callAgentModel']);
    // each model call got the conversation so far: the second one the first tool result
    expect(server.requests.map(toolResults)).toEqual([0, 1, 2]);

    const client = await testClient();
    try {
      const ledger = [];
      for await (const record of readStepLedger(client, result.temporal.workflowId)) ledger.push(record);
      expect(ledger).toEqual([expect.objectContaining({ step: 0, agent: 'researcher', inputs: { topic: 'Temporal' }, output: { summary: 'Durable.', terms: 2 } })]);
      expect(ledger[0].usage).toMatchObject({ modelCalls: 3 });
    } finally {
      await client.connection.close();
    }
  }, 60_000);

  it("streams each model call's text to followers and reads the step whole from history", async () => {
    const answer = '{"summary": "Streamed through two model calls.", "terms": 1}';
    server.reply(...Array.from({ length: 2 }, () => toolLoop(1, answer)));
    const { flock } = researchFlock('calls-follow', 'call');
    const run = await flock.start({ startAgent: 'researcher', input: { topic: 'Temporal' } });
    const events: FlockRunEvent[] = [];
    for await (const event of run.events()) events.push(event);

    const kinds = events.filter((event) => event.type !== 'text-delta').map((event) => event.type);
    expect(kinds).toEqual(['step-started', 'step-completed', 'run-completed']);
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : [])).join('');
    // deltas are best effort (heartbeats sampled by describe): whatever arrived is the answer's text, in order
    expect(answer.startsWith(text)).toBe(true);
    const completed = events.find((event) => event.type === 'step-completed');
    expect(completed).toMatchObject({ record: { agent: 'researcher', inputs: { topic: 'Temporal' }, usage: { modelCalls: 2 } } });
    expect(server.requests.every((request) => request.body['stream'] === true)).toBe(true);
  }, 60_000);

  it('finishes in finishAgentStep when the agent has work after its evaluation (a component and a code hand-off); tools and hooks see the declared context', async () => {
    server.reply(...Array.from({ length: 2 }, () => toolLoop(1, '{"summary": "Short.", "terms": 1}')));
    const { flock, seen } = researchFlock('calls-finish', 'call', {
      context: { input: true },
      components: [
        {
          name: 'shout',
          onPostEvaluate: (output: Record<string, unknown>, ctx: { input: Record<string, unknown> }) => ({
            ...output,
            summary: `${String(ctx.input['topic'])}: ${String(output['summary']).toUpperCase()}`,
          }),
        },
      ],
      next: () => null,
    } as Partial<AgentOptions>);
    const result = await flock.run({ startAgent: 'researcher', input: { topic: 'Temporal' } });
    expect(result.output).toEqual({ summary: 'Temporal: SHORT.', terms: 1 });
    expect(seen).toEqual([expect.stringMatching(/^t0 .+:tool:1 Temporal$/)]);
    expect(await activityTypes(result.temporal.workflowId)).toEqual(['callAgentModel', 'callAgentTool', 'callAgentModel', 'finishAgentStep']);
  }, 60_000);

  it('stops at the model call that crosses the budget: the run fails with BUDGET_EXCEEDED before the next model call', async () => {
    server.reply(...Array.from({ length: 4 }, () => toolLoop(3, '{"summary": "Never.", "terms": 3}')));
    const { flock, seen } = researchFlock('calls-budget', 'call', {}, { budget: { maxModelCalls: 1 } });
    const error = await rejection(flock.run({ startAgent: 'researcher', input: { topic: 'Temporal' } }));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'BUDGET_EXCEEDED', agent: 'researcher' });
    expect(error.message).toContain('maxModelCalls');
    // 2 model calls: the second crossed the limit of 1, so no third one and no second tool call
    expect(server.requests).toHaveLength(2);
    expect(seen).toHaveLength(1);
  }, 60_000);
});

describe.each<Durability>(['step', 'call'])("model answers on the real server, durability '%s' (OpenAI-compatible stand-in over HTTP)", (durability) => {
  it('accepts JSON in Markdown code fences, with one request', async () => {
    server.reply({ text: 'Here you go:\n```json\n{"summary": "Fenced.", "terms": 0}\n```' });
    const { flock } = researchFlock(`fenced-${durability}`, durability);
    const result = await flock.run({ startAgent: 'researcher', input: { topic: 'fences' } });
    expect(result.output).toEqual({ summary: 'Fenced.', terms: 0 });
    expect(server.requests).toHaveLength(1);
  }, 60_000);

  it('tells the model once what is wrong with invalid JSON and uses its corrected answer', async () => {
    server.reply({ text: '{"summary": "Half' }, { text: '{"summary": "Whole.", "terms": 1}' });
    const { flock } = researchFlock(`fixed-${durability}`, durability);
    const result = await flock.run({ startAgent: 'researcher', input: { topic: 'broken' } });
    expect(result.output).toEqual({ summary: 'Whole.', terms: 1 });
    expect(JSON.stringify(server.requests[1].body['messages'])).toContain('Your answer could not be used');
  }, 60_000);

  it('fails the run (never completes, never loops) after a second unusable answer, naming the agent once and showing a redacted excerpt', async () => {
    const key = 'sk-proj-' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp';
    server.reply({ text: 'I would rather not.' }, { text: `{"summary": 42, "note": "${key}"}` });
    const { flock } = researchFlock(`unusable-${durability}`, durability);
    const error = await rejection(flock.run({ startAgent: 'researcher', input: { topic: 'refusal' } }));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'researcher', causeType: 'ModelOutputError' });
    expect(error.message.match(/"researcher"/g)).toHaveLength(1);
    expect(error.message).toContain('summary: Invalid input: expected string, received number');
    expect(error.message).toContain('the model answered: {"summary": 42');
    expect(error.message).not.toContain(key);
    // not retried by Temporal: the answer was final
    expect(server.requests).toHaveLength(2);
    const client = await testClient();
    try {
      const description = await client.workflow.getHandle(String(error['workflowId'])).describe();
      expect(description.status.name).toBe('FAILED');
    } finally {
      await client.connection.close();
    }
  }, 60_000);
});
