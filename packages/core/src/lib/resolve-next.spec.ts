import { defineAgent, type NextSpec } from './agent';
import { Flock } from './flock';
import { resolveNextAgent } from './resolve-next';
import { defineRouter, type RouteRequest } from './router';
import { createRunState } from './run-state';

function flockWith(next: NextSpec | undefined, routers = [] as ReturnType<typeof defineRouter>[]) {
  const base = { input: 'n: integer', output: 'n: integer', evaluate: (x: Record<string, unknown>) => x };
  const flock = new Flock({
    name: 'routing',
    routers,
    agents: [defineAgent({ ...base, name: 'first', ...(next === undefined ? {} : { next }) }), defineAgent({ ...base, name: 'second' })],
  });
  return { flock, state: createRunState(flock, { startAgent: 'first', input: { n: 1 } }) };
}

describe('resolveNextAgent', () => {
  it('ends the run when the agent has no hand-off', async () => {
    const { flock, state } = flockWith(undefined);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).resolves.toBeNull();
  });

  it('follows a static hand-off', async () => {
    const { flock, state } = flockWith('second');
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).resolves.toBe('second');
  });

  it('asks a next function with the context and the output', async () => {
    const next = jest.fn((ctx: { agentName: string }, output: Record<string, unknown>) => (Number(output.n) > 1 ? 'second' : null));
    const { flock, state } = flockWith(next);
    await expect(resolveNextAgent(flock, 'first', { n: 2 }, state)).resolves.toBe('second');
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).resolves.toBeNull();
    expect(next.mock.calls[0][0].agentName).toBe('first');
  });

  it('treats undefined from a next function as the end of the run', async () => {
    const { flock, state } = flockWith(() => undefined);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).resolves.toBeNull();
  });

  it('rejects a chosen name that is not an agent, listing the known ones', async () => {
    const { flock, state } = flockWith(() => 'third');
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).rejects.toMatchObject({
      name: 'UnknownAgentError',
      agent: 'third',
      message: 'Unknown hand-off from "first" to agent "third" (known agents: first, second)',
    });
  });

  it('rejects a choice that is not a name', async () => {
    const { flock, state } = flockWith((() => 42) as never);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).rejects.toMatchObject({ name: 'RoutingError', message: expect.stringContaining('number 42') });
  });

  it('wraps a throwing next function in RoutingError', async () => {
    const { flock, state } = flockWith(() => {
      throw new Error('no idea');
    });
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).rejects.toMatchObject({
      name: 'RoutingError',
      message: 'Routing after agent "first" (next function) failed: no idea',
    });
  });

  it('gives routing a read-only view of the variables', async () => {
    const { flock, state } = flockWith((ctx) => {
      ctx.setVariable('x', 1);
      return null;
    });
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).rejects.toMatchObject({ name: 'RoutingError', causeName: 'ContextReadOnlyError' });
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
    const { flock, state } = flockWith(router);
    await expect(resolveNextAgent(flock, 'first', { n: 7 }, state)).resolves.toBe('second');
    expect(seen[0].output).toEqual({ n: 7 });
    expect(seen[0].agent.name).toBe('first');
    expect(seen[0].candidates.map((agent) => agent.name)).toEqual(['first', 'second']);
  });

  it('finds a router registered by name', async () => {
    const router = defineRouter({ name: 'named', route: () => ({ nextAgent: 'second' }) });
    const { flock, state } = flockWith({ router: 'named' }, [router]);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).resolves.toBe('second');
  });

  it('ends the run on a decision below the router threshold', async () => {
    const unsure = defineRouter({ name: 'unsure', minConfidence: 0.6, route: () => ({ nextAgent: 'second', confidence: 0.4 }) });
    const sure = defineRouter({ name: 'sure', minConfidence: 0.6, route: () => ({ nextAgent: 'second', confidence: 0.9 }) });
    const low = flockWith(unsure);
    const high = flockWith(sure);
    await expect(resolveNextAgent(low.flock, 'first', { n: 1 }, low.state)).resolves.toBeNull();
    await expect(resolveNextAgent(high.flock, 'first', { n: 1 }, high.state)).resolves.toBe('second');
  });

  it('wraps a throwing router in RoutingError naming it', async () => {
    const router = defineRouter({ name: 'flaky', route: () => Promise.reject(new TypeError('bad')) });
    const { flock, state } = flockWith(router);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).rejects.toMatchObject({
      name: 'RoutingError',
      router: 'flaky',
      causeName: 'TypeError',
    });
  });

  it('rejects a router result without nextAgent', async () => {
    const router = defineRouter({ name: 'sloppy', route: () => ({ next: 'second' }) as never });
    const { flock, state } = flockWith(router);
    await expect(resolveNextAgent(flock, 'first', { n: 1 }, state)).rejects.toMatchObject({ name: 'RoutingError', message: expect.stringContaining('nextAgent') });
  });
});
