import { defineAgent, type NextSpec } from './agent';
import type { AgentContext, StepView } from './context';
import { Flock } from './flock';
import { resolveHandoff } from './resolve-next';
import { defineRouter, type RouteRequest } from './router';

/** The view of the run just after the step of `first` (step 0) finished. */
const afterFirst = (): StepView => ({ runId: 'run-1', flockName: 'routing', step: 1, input: { n: 1 }, variables: { seen: true } });

function flockWith(next: NextSpec | undefined, routers = [] as ReturnType<typeof defineRouter>[]) {
  const base = { input: 'n: integer', output: 'n: integer', evaluate: (x: Record<string, unknown>) => x };
  const flock = new Flock({
    name: 'routing',
    routers,
    agents: [defineAgent({ ...base, name: 'first', ...(next === undefined ? {} : { next }) }), defineAgent({ ...base, name: 'second' })],
  });
  return { flock, view: afterFirst() };
}

/** The agent chosen after `agentName` produced `output`. */
async function resolveNextAgent(flock: Flock, agentName: string, output: Record<string, unknown>, view: StepView): Promise<string | null> {
  return (await resolveHandoff(flock, agentName, output, view)).nextAgent;
}

describe('resolveHandoff', () => {
  it('ends the run when the agent has no hand-off', async () => {
    const { flock, view } = flockWith(undefined);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).resolves.toBeNull();
  });

  it('follows a static hand-off', async () => {
    const { flock, view } = flockWith('second');
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).resolves.toBe('second');
  });

  it('asks a next function with the context and the output', async () => {
    const next = jest.fn((ctx: { agentName: string }, output: Record<string, unknown>) => (Number(output.n) > 1 ? 'second' : null));
    const { flock, view } = flockWith(next);
    await expect(resolveNextAgent(flock, 'first', { n: 2 }, view)).resolves.toBe('second');
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).resolves.toBeNull();
    expect(next.mock.calls[0][0].agentName).toBe('first');
  });

  it('treats undefined from a next function as the end of the run', async () => {
    const { flock, view } = flockWith(() => undefined);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).resolves.toBeNull();
  });

  it('rejects a chosen name that is not an agent, listing the known ones', async () => {
    const { flock, view } = flockWith(() => 'third');
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).rejects.toMatchObject({
      name: 'UnknownAgentError',
      agent: 'third',
      message: 'Unknown hand-off from "first" to agent "third" (known agents: first, second)',
    });
  });

  it('rejects a choice that is not a name', async () => {
    const { flock, view } = flockWith((() => 42) as never);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).rejects.toMatchObject({ name: 'RoutingError', message: expect.stringContaining('number 42') });
  });

  it('wraps a throwing next function in RoutingError', async () => {
    const { flock, view } = flockWith(() => {
      throw new Error('no idea');
    });
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).rejects.toMatchObject({
      name: 'RoutingError',
      message: 'Routing after agent "first" (next function) failed: no idea',
    });
  });

  it('gives a next function the view of the run after the step', async () => {
    const seen: unknown[] = [];
    const { flock } = flockWith((ctx: AgentContext) => {
      seen.push(ctx.runId, ctx.iteration, ctx.input, ctx.getVariable('seen'), ctx.history);
      return null;
    });
    const first = { step: 0, agent: 'first', inputs: { n: 1 }, output: { n: 1 }, startedAt: '', finishedAt: '' };
    await resolveNextAgent(flock, 'first', { n: 1 }, { ...afterFirst(), history: [first] });
    expect(seen).toEqual(['run-1', 1, { n: 1 }, true, [first]]);
  });

  it('gives routing a read-only view of the variables', async () => {
    const { flock, view } = flockWith((ctx) => {
      ctx.setVariable('x', 1);
      return null;
    });
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).rejects.toMatchObject({ name: 'RoutingError', causeName: 'ContextReadOnlyError' });
  });

  it('asks a router with the output and every agent as candidate', async () => {
    const seen: RouteRequest[] = [];
    const router = defineRouter({
      name: 'pick',
      route: (request) => {
        seen.push(request);
        return { nextAgent: 'second', reason: 'always' };
      },
    });
    const { flock, view } = flockWith(router);
    await expect(resolveNextAgent(flock, 'first', { n: 7 }, view)).resolves.toBe('second');
    expect(seen[0].output).toEqual({ n: 7 });
    expect(seen[0].agent.name).toBe('first');
    expect(seen[0].candidates.map((agent) => agent.name)).toEqual(['first', 'second']);
  });

  it('finds a router registered by name', async () => {
    const router = defineRouter({ name: 'named', route: () => ({ nextAgent: 'second' }) });
    const { flock, view } = flockWith({ router: 'named' }, [router]);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).resolves.toBe('second');
  });

  it("returns a router's usage and reason with its decision", async () => {
    const usage = { inputTokens: 5, outputTokens: 2, totalTokens: 7 };
    const { flock, view } = flockWith(defineRouter({ name: 'model-like', route: () => ({ nextAgent: 'second', usage, reason: 'fits' }) }));
    await expect(resolveHandoff(flock, 'first', { n: 1 }, view)).resolves.toEqual({ nextAgent: 'second', usage, reason: 'fits' });
  });

  it('keeps the usage of a router decision that ends the run', async () => {
    const usage = { inputTokens: 5, outputTokens: 2, totalTokens: 7 };
    const { flock, view } = flockWith(defineRouter({ name: 'done', route: () => ({ nextAgent: null, usage }) }));
    await expect(resolveHandoff(flock, 'first', { n: 1 }, view)).resolves.toEqual({ nextAgent: null, usage });
  });

  it('ends the run on a decision below the router threshold', async () => {
    const unsure = defineRouter({ name: 'unsure', minConfidence: 0.6, route: () => ({ nextAgent: 'second', confidence: 0.4 }) });
    const sure = defineRouter({ name: 'sure', minConfidence: 0.6, route: () => ({ nextAgent: 'second', confidence: 0.9 }) });
    const low = flockWith(unsure);
    const high = flockWith(sure);
    await expect(resolveNextAgent(low.flock, 'first', { n: 1 }, low.view)).resolves.toBeNull();
    await expect(resolveNextAgent(high.flock, 'first', { n: 1 }, high.view)).resolves.toBe('second');
  });

  it('wraps a throwing router in RoutingError naming it', async () => {
    const router = defineRouter({ name: 'flaky', route: () => Promise.reject(new TypeError('bad')) });
    const { flock, view } = flockWith(router);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).rejects.toMatchObject({
      name: 'RoutingError',
      router: 'flaky',
      causeName: 'TypeError',
    });
  });

  it('rejects a router result without nextAgent', async () => {
    const router = defineRouter({ name: 'sloppy', route: () => ({ next: 'second' }) as never });
    const { flock, view } = flockWith(router);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, view)).rejects.toMatchObject({ name: 'RoutingError', message: expect.stringContaining('nextAgent') });
  });
});
