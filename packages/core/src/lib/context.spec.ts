import { defineAgent } from './agent';
import { AgentContext } from './context';
import type { ToolError } from './errors';
import { Flock } from './flock';
import type { RunState } from './run-state';
import { defineTool } from './tool';

const upper = defineTool({ name: 'upper', input: 'text: string', execute: ({ text }) => String(text).toUpperCase() });
const lower = defineTool({ name: 'lower', input: 'text: string', execute: ({ text }) => String(text).toLowerCase() });
const agent = defineAgent({ name: 'writer', input: '', output: '', evaluate: () => ({}), tools: ['upper'], settings: { tone: 'dry' } });
const flock = new Flock({ name: 'ctx', agents: [agent], tools: [upper, lower] });

function state(): RunState {
  return {
    runId: 'run-1',
    sessionId: 'session-1',
    flockName: 'ctx',
    startAgent: 'writer',
    input: { topic: 'x' },
    history: [
      { agent: 'a', inputs: {}, output: { v: 1 }, startedAt: '', finishedAt: '' },
      { agent: 'b', inputs: {}, output: { v: 2 }, startedAt: '', finishedAt: '' },
    ],
    variables: { seen: 1 },
    iteration: 2,
  };
}

describe('AgentContext', () => {
  it('exposes the run, the agent and its settings', () => {
    const ctx = new AgentContext({ flock, agent, state: state(), attempt: 3 });
    expect([ctx.runId, ctx.sessionId, ctx.flockName, ctx.agentName, ctx.attempt, ctx.iteration]).toEqual(['run-1', 'session-1', 'ctx', 'writer', 3, 2]);
    expect(ctx.settings).toEqual({ tone: 'dry' });
    expect(ctx.input).toEqual({ topic: 'x' });
  });

  it("exposes the flock's default model for model evaluators", () => {
    const withModel = new Flock({ name: 'ctx-model', model: 'openai:gpt-4o-mini', agents: [agent], tools: [upper] });
    expect(new AgentContext({ flock: withModel, agent, state: state() }).flockModel).toBe('openai:gpt-4o-mini');
    expect(new AgentContext({ flock, agent, state: state() }).flockModel).toBeUndefined();
  });

  it('finds the last output overall or of one agent', () => {
    const ctx = new AgentContext({ flock, agent, state: state() });
    expect(ctx.lastOutput()).toEqual({ v: 2 });
    expect(ctx.lastOutput('a')).toEqual({ v: 1 });
    expect(ctx.lastOutput('nobody')).toBeUndefined();
  });

  it('writes variables to the step copy, never to the run state', () => {
    const run = state();
    const variables = { ...run.variables };
    const ctx = new AgentContext({ flock, agent, state: run, variables });
    ctx.setVariable('seen', 2);
    expect(ctx.getVariable('seen')).toBe(2);
    expect(variables).toEqual({ seen: 2 });
    expect(run.variables).toEqual({ seen: 1 });
  });

  it('refuses variable writes when it only reads', () => {
    const ctx = new AgentContext({ flock, agent, state: state() });
    expect(() => ctx.setVariable('seen', 2)).toThrow(expect.objectContaining({ name: 'ContextReadOnlyError' }));
  });

  it('forwards heartbeats', () => {
    const beats: unknown[] = [];
    new AgentContext({ flock, agent, state: state(), heartbeat: (d) => beats.push(d) }).heartbeat({ progress: 1 });
    expect(beats).toEqual([{ progress: 1 }]);
  });

  it("calls the agent's tools by name", async () => {
    await expect(new AgentContext({ flock, agent, state: state() }).callTool('upper', { text: 'hi' })).resolves.toBe('HI');
  });

  it('refuses tools the agent does not declare, even registered ones', async () => {
    const error = await new AgentContext({ flock, agent, state: state() }).callTool('lower', { text: 'HI' }).catch((e: ToolError) => e);
    expect(error).toMatchObject({ name: 'ToolError', reason: 'not-allowed', tool: 'lower', agent: 'writer' });
    expect((error as ToolError).message).toContain('its tools: upper');
  });
});
