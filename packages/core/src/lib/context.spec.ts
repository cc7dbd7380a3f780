import { defineAgent } from './agent';
import { AgentContext, type StepView } from './context';
import type { ToolError } from './errors';
import { Flock } from './flock';
import { defineTool } from './tool';

const upper = defineTool({ name: 'upper', input: 'text: string', execute: ({ text }) => String(text).toUpperCase() });
const lower = defineTool({ name: 'lower', input: 'text: string', execute: ({ text }) => String(text).toLowerCase() });
const agent = defineAgent({ name: 'writer', input: '', output: '', evaluate: () => ({}), tools: ['upper'], settings: { tone: 'dry' } });
const flock = new Flock({ name: 'ctx', agents: [agent], tools: [upper, lower] });

function view(): StepView {
  return {
    runId: 'run-1',
    sessionId: 'session-1',
    flockName: 'ctx',
    step: 2,
    input: { topic: 'x' },
    history: [
      { step: 0, agent: 'a', inputs: {}, output: { v: 1 }, startedAt: '', finishedAt: '' },
      { step: 1, agent: 'b', inputs: {}, output: { v: 2 }, startedAt: '', finishedAt: '' },
    ],
    variables: { seen: 1 },
  };
}

describe('AgentContext', () => {
  it('exposes the run, the agent and its settings', () => {
    const ctx = new AgentContext({ flock, agent, view: view(), attempt: 3 });
    expect([ctx.runId, ctx.sessionId, ctx.flockName, ctx.agentName, ctx.attempt, ctx.iteration]).toEqual(['run-1', 'session-1', 'ctx', 'writer', 3, 2]);
    expect(ctx.settings).toEqual({ tone: 'dry' });
    expect(ctx.input).toEqual({ topic: 'x' });
  });

  it('gives each step a stable idempotency key: run, step and agent', () => {
    const first = new AgentContext({ flock, agent, view: view(), attempt: 1 });
    const retry = new AgentContext({ flock, agent, view: view(), attempt: 2 });
    expect(first.idempotencyKey).toBe('run-1:2:writer');
    expect(retry.idempotencyKey).toBe(first.idempotencyKey);
    expect(new AgentContext({ flock, agent, view: { ...view(), step: 3 } }).idempotencyKey).toBe('run-1:3:writer');
    expect(new AgentContext({ flock, agent, view: { ...view(), runId: 'run-2' } }).idempotencyKey).toBe('run-2:2:writer');
  });

  it("exposes the flock's default model for model evaluators", () => {
    const withModel = new Flock({ name: 'ctx-model', model: 'openai:gpt-4o-mini', agents: [agent], tools: [upper] });
    expect(new AgentContext({ flock: withModel, agent, view: view() }).flockModel).toBe('openai:gpt-4o-mini');
    expect(new AgentContext({ flock, agent, view: view() }).flockModel).toBeUndefined();
  });

  it('finds the last output overall or of one agent', () => {
    const ctx = new AgentContext({ flock, agent, view: view() });
    expect(ctx.lastOutput()).toEqual({ v: 2 });
    expect(ctx.lastOutput('a')).toEqual({ v: 1 });
    expect(ctx.lastOutput('nobody')).toBeUndefined();
  });

  it('refuses to read history or input the view does not carry, saying what to declare', () => {
    const ctx = new AgentContext({ flock, agent, view: { runId: 'run-1', flockName: 'ctx', step: 5, variables: {} } });
    expect(() => ctx.history).toThrow(expect.objectContaining({ name: 'ContextNotDeclaredError', code: 'CONTEXT_NOT_DECLARED', agent: 'writer', property: 'ctx.history' }));
    expect(() => ctx.lastOutput()).toThrow('add context: { history: <steps> } to the agent');
    expect(() => ctx.input).toThrow('Agent "writer" reads ctx.input, which its steps carry only when declared: add context: { input: true } to the agent');
    expect(ctx.iteration).toBe(5);
    expect(ctx.sessionId).toBeUndefined();
  });

  it('reads an empty history as declared but empty', () => {
    const ctx = new AgentContext({ flock, agent, view: { runId: 'run-1', flockName: 'ctx', step: 0, history: [], variables: {} } });
    expect(ctx.history).toEqual([]);
    expect(ctx.lastOutput()).toBeUndefined();
  });

  it('writes variables to the step copy, never to the run state', () => {
    const run = view();
    const variables = { ...run.variables };
    const ctx = new AgentContext({ flock, agent, view: run, variables });
    ctx.setVariable('seen', 2);
    expect(ctx.getVariable('seen')).toBe(2);
    expect(variables).toEqual({ seen: 2 });
    expect(run.variables).toEqual({ seen: 1 });
  });

  it('refuses variable writes when it only reads', () => {
    const ctx = new AgentContext({ flock, agent, view: view() });
    expect(() => ctx.setVariable('seen', 2)).toThrow(expect.objectContaining({ name: 'ContextReadOnlyError' }));
  });

  it('forwards heartbeats', () => {
    const beats: unknown[] = [];
    new AgentContext({ flock, agent, view: view(), heartbeat: (d) => beats.push(d) }).heartbeat({ progress: 1 });
    expect(beats).toEqual([{ progress: 1 }]);
  });

  it("calls the agent's tools by name", async () => {
    await expect(new AgentContext({ flock, agent, view: view() }).callTool('upper', { text: 'hi' })).resolves.toBe('HI');
  });

  it('refuses tools the agent does not declare, even registered ones', async () => {
    const error = await new AgentContext({ flock, agent, view: view() }).callTool('lower', { text: 'HI' }).catch((e: ToolError) => e);
    expect(error).toMatchObject({ name: 'ToolError', reason: 'not-allowed', tool: 'lower', agent: 'writer' });
    expect((error as ToolError).message).toContain('its tools: upper');
  });
});
