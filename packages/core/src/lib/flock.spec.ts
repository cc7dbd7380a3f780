import type { FlockConfigError } from '@flock-ts/config';
import { z } from 'zod';
import { defineAgent, type Agent } from './agent';
import type { FlockExecutor } from './executor';
import { Flock } from './flock';
import { defineRouter } from './router';
import type { RunResult } from './run-state';
import { defineTool } from './tool';

const echo = <T>(inputs: T) => inputs;
const agent = (name: string, extra: object = {}): Agent => defineAgent({ name, input: 'text: string', output: 'text: string', evaluate: echo, ...extra });

function configError(fn: () => unknown): FlockConfigError {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('FlockConfigError');
    return error as FlockConfigError;
  }
  throw new Error('expected a FlockConfigError');
}

describe('new Flock', () => {
  it('applies the documented defaults', () => {
    const flock = new Flock({ name: 'demo' });
    expect([flock.maxIterations, flock.enableTemporal, flock.temporalStartInProcessWorker]).toEqual([20, false, false]);
    expect(flock.temporalConfig).toEqual({});
  });

  it('rejects invalid options, naming the path', () => {
    const error = configError(() => new Flock({ name: 'demo', maxIterations: 0, temporalConfig: { serverUrl: 'http://x:1' } }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['maxIterations', 'temporalConfig.serverUrl']);
  });

  it("takes a budget for the whole run and puts it into the definition, with the agents' own", () => {
    const flock = new Flock({ name: 'demo', budget: { maxModelCalls: 12 }, agents: [agent('a', { budget: { maxTokens: 900 } }), agent('b')] });
    expect(flock.budget).toEqual({ maxModelCalls: 12 });
    const definition = flock.toDefinition();
    expect(definition.budget).toEqual({ maxModelCalls: 12 });
    expect(definition.agents.map((a) => a.budget)).toEqual([{ maxTokens: 900 }, undefined]);
    expect(flock.runPlan().budget).toEqual({ maxModelCalls: 12 });
    expect(new Flock({ name: 'free' }).toDefinition()).not.toHaveProperty('budget');
  });

  it('rejects an invalid budget, naming the field', () => {
    const error = configError(() => new Flock({ name: 'demo', budget: { maxTokens: 0 } }));
    expect(error.issues).toEqual([{ path: 'budget.maxTokens', message: 'budget.maxTokens must be >= 1' }]);
    expect(error.message).toContain('budget.maxTokens: budget.maxTokens must be >= 1');
    const inAgent = configError(() => new Flock({ name: 'demo', agents: [{ name: 'a', input: '', output: '', evaluate: () => ({}), budget: { maxModelCalls: -1 } }] }));
    expect(inAgent.issues).toEqual([{ path: 'agents[0].budget.maxModelCalls', message: 'budget.maxModelCalls must be >= 1' }]);
  });

  it('names the offending agent of the options by index', () => {
    const error = configError(() => new Flock({ name: 'demo', agents: [agent('ok'), { name: 'bad', input: 'x: nope', output: '', evaluate: echo }] }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['agents[1].input']);
  });

  it('rejects duplicate agent names', () => {
    const error = configError(() => new Flock({ name: 'demo', agents: [agent('twin'), agent('twin')] }));
    expect(error.issues).toEqual([{ path: 'agents[1].name', message: 'duplicate agent name "twin"' }]);
  });
});

describe('Flock registries', () => {
  it('adds agents from options or agent objects, in order', () => {
    const flock = new Flock({ name: 'demo' });
    const added = flock.addAgent({ name: 'a', input: '', output: '', evaluate: echo });
    flock.addAgent(agent('b'));
    expect(flock.agent('a')).toBe(added);
    expect(flock.agents.map((a) => a.name)).toEqual(['a', 'b']);
  });

  it('throws UnknownAgentError listing the known agents', () => {
    const flock = new Flock({ name: 'demo', agents: [agent('a'), agent('b')] });
    expect(() => flock.agent('c')).toThrow(expect.objectContaining({ name: 'UnknownAgentError', message: 'Unknown agent "c" (known agents: a, b)' }));
  });

  it('registers inline tools and routers of agents', () => {
    const tool = defineTool({ name: 'clock', input: '', execute: () => 'noon' });
    const router = defineRouter({ name: 'pick', route: () => ({ nextAgent: null }) });
    const flock = new Flock({ name: 'demo', agents: [agent('a', { tools: [tool], next: router })] });
    expect(flock.tool('clock')).toBe(tool);
    expect(flock.router('pick')).toBe(router);
  });

  it('refuses a different tool under a registered name', () => {
    const flock = new Flock({ name: 'demo', tools: [defineTool({ name: 'clock', input: '', execute: () => 1 })] });
    const other = defineTool({ name: 'clock', input: '', execute: () => 2 });
    configError(() => flock.registerTool(other));
    configError(() => flock.addAgent(agent('a', { tools: [other] })));
    expect(flock.agents).toHaveLength(0);
  });

  it('throws UnknownToolError and UnknownRouterError for unknown names', () => {
    const flock = new Flock({ name: 'demo' });
    expect(() => flock.tool('x')).toThrow(expect.objectContaining({ name: 'UnknownToolError' }));
    expect(() => flock.router('x')).toThrow(expect.objectContaining({ name: 'UnknownRouterError' }));
  });
});

describe('Flock.validate', () => {
  it('names unknown static hand-offs, tools and routers', () => {
    const flock = new Flock({ name: 'demo', agents: [agent('a', { next: 'ghost', tools: ['search'] }), agent('b', { next: { router: 'nobody' } })] });
    const error = configError(() => flock.validate());
    expect(error.issues.map((issue) => issue.path)).toEqual(['agents[0].next', 'agents[0].tools[0]', 'agents[1].next.router']);
  });

  it('accepts agents added in any order', () => {
    const flock = new Flock({ name: 'demo' });
    flock.addAgent(agent('first', { next: 'second' }));
    flock.addAgent(agent('second'));
    expect(() => flock.validate()).not.toThrow();
  });
});

describe('Flock.toDefinition', () => {
  it('describes the flock as plain, valid data', () => {
    const flock = new Flock({
      name: 'docs',
      description: 'd',
      model: 'openai:gpt-4o-mini',
      maxIterations: 7,
      temporalConfig: { taskQueue: 'q', activityDefaults: { retryMaxAttempts: 2 } },
      agents: [agent('a', { next: 'b' }), defineAgent({ name: 'b', input: z.object({ text: z.string() }), output: 'n: integer', evaluate: () => ({ n: 1 }), next: () => null })],
    });
    const definition = flock.toDefinition();
    expect(definition).toMatchObject({
      name: 'docs',
      description: 'd',
      model: 'openai:gpt-4o-mini',
      maxIterations: 7,
      enableTemporal: false,
      temporalConfig: { taskQueue: 'q', activityDefaults: { retryMaxAttempts: 2 } },
    });
    expect(definition.agents.map((a) => a.next)).toEqual([{ kind: 'static', agent: 'b' }, { kind: 'code' }]);
    expect(definition.agents[1].input).toEqual({ jsonSchema: expect.objectContaining({ properties: { text: { type: 'string' } } }) });
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });
});

describe('Flock.runPlan and Flock.stepFingerprint', () => {
  it('prepares the definition for the run loop once, until an agent is added', () => {
    const flock = new Flock({ name: 'docs', maxIterations: 9, agents: [agent('a', { next: 'b' }), agent('b', { context: { history: 2 } })] });
    const plan = flock.runPlan();
    expect(plan).toMatchObject({ flockName: 'docs', maxIterations: 9, agentNames: ['a', 'b'], tailSize: 2 });
    expect(plan.agents.get('a')).toMatchObject({ inputFields: ['text'], next: { kind: 'static', agent: 'b' }, history: 0, input: false });
    expect(flock.runPlan()).toBe(plan);
    flock.addAgent(agent('c'));
    expect(flock.runPlan()).not.toBe(plan);
    expect(flock.runPlan().agentNames).toEqual(['a', 'b', 'c']);
  });

  it('gives the fingerprint of the steps of an agent, changing with the agent set', () => {
    const flock = new Flock({ name: 'docs', agents: [agent('a', { next: () => null })] });
    const before = flock.stepFingerprint('a');
    expect(before).toEqual({ agents: expect.any(String), input: expect.any(String), output: expect.any(String), next: 'code' });
    expect(new Flock({ name: 'docs', agents: [agent('a', { next: () => null })] }).stepFingerprint('a')).toEqual(before);
    flock.addAgent(agent('b'));
    expect(flock.stepFingerprint('a')).toEqual({ ...before, agents: expect.not.stringMatching(before.agents) });
  });

  it('throws UnknownAgentError for the fingerprint of an unknown agent', () => {
    const flock = new Flock({ name: 'docs', agents: [agent('a')] });
    expect(() => flock.stepFingerprint('ghost')).toThrow(expect.objectContaining({ name: 'UnknownAgentError', message: 'Unknown agent "ghost" (known agents: a)' }));
  });
});

describe('Flock.run', () => {
  const result: RunResult = { runId: 'r', flockName: 'x', lastAgent: 'a', output: {}, steps: [], stepCount: 0, variables: {} };

  it('runs in-process by default', async () => {
    const flock = new Flock({ name: 'local', agents: [agent('a')] });
    await expect(flock.run({ startAgent: 'a', input: { text: 'hi' } })).resolves.toMatchObject({ output: { text: 'hi' }, stepCount: 1 });
  });

  it('rejects a failing run with FlockRunFailedError: code, agent, cause type and cause', async () => {
    const flock = new Flock({
      name: 'local',
      agents: [
        agent('a', {
          evaluate: () => {
            throw new RangeError('too far');
          },
        }),
      ],
    });
    const error = await flock.run({ startAgent: 'a', input: { text: 'hi' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'a', causeType: 'RangeError', message: 'Agent "a" failed: RangeError: too far' });
    expect((error as Error).cause).toMatchObject({ name: 'AgentExecutionError', causeName: 'RangeError' });
  });

  it('rejects an unknown start agent before reaching the executor', async () => {
    const executor: FlockExecutor = { kind: 'local', run: jest.fn(), start: jest.fn(), getRun: jest.fn() };
    const flock = new Flock({ name: 'x', agents: [agent('a')], executor });
    await expect(flock.run({ startAgent: 'b', input: {} })).rejects.toMatchObject({ name: 'UnknownAgentError' });
    expect(executor.run).not.toHaveBeenCalled();
  });

  it('uses an executor given in the options', async () => {
    const executor: FlockExecutor = { kind: 'local', run: jest.fn(async () => result), start: jest.fn(), getRun: jest.fn() };
    const flock = new Flock({ name: 'x', agents: [agent('a')], executor });
    await expect(flock.run({ startAgent: 'a', input: {} })).resolves.toBe(result);
    expect(executor.run).toHaveBeenCalledWith(flock, { startAgent: 'a', input: {} });
  });

  it('rejects with ExecutorNotAvailableError when Temporal is enabled without an executor, naming the fix', async () => {
    const flock = new Flock({ name: 'prod', enableTemporal: true, agents: [agent('a')] });
    await expect(flock.run({ startAgent: 'a', input: {} })).rejects.toMatchObject({
      name: 'ExecutorNotAvailableError',
      message: expect.stringContaining('executor: temporal()'),
    });
  });

  it('takes enableTemporal from a Temporal executor', () => {
    const executor: FlockExecutor = { kind: 'temporal', run: jest.fn(), start: jest.fn(), getRun: jest.fn() };
    const flock = new Flock({ name: 'prod', agents: [agent('a')], executor });
    expect(flock.enableTemporal).toBe(true);
    expect(flock.toDefinition().enableTemporal).toBe(true);
    expect(new Flock({ name: 'here', agents: [agent('a')] }).enableTemporal).toBe(false);
  });
});

describe('Flock.close', () => {
  const result: RunResult = { runId: 'r', flockName: 'x', lastAgent: 'a', output: {}, steps: [], stepCount: 0, variables: {} };

  it('delegates to the executor given in the options, each time it is called', async () => {
    const close = jest.fn(async () => undefined);
    const executor: FlockExecutor = { kind: 'local', run: jest.fn(async () => result), start: jest.fn(), getRun: jest.fn(), close };
    const flock = new Flock({ name: 'x', agents: [agent('a')], executor });
    await flock.close();
    await flock.close();
    expect(close).toHaveBeenCalledTimes(2);
    expect(close).toHaveBeenCalledWith(flock);
    // a run after close still goes to the executor
    await expect(flock.run({ startAgent: 'a', input: {} })).resolves.toBe(result);
  });

  it('resolves for executors without close, and in-process (runs still work afterwards)', async () => {
    const executor: FlockExecutor = { kind: 'local', run: jest.fn(async () => result), start: jest.fn(), getRun: jest.fn() };
    await expect(new Flock({ name: 'x', agents: [agent('a')], executor }).close()).resolves.toBeUndefined();
    const local = new Flock({ name: 'local', agents: [agent('a')] });
    await local.close();
    await expect(local.run({ startAgent: 'a', input: { text: 'hi' } })).resolves.toMatchObject({ stepCount: 1 });
  });
});
