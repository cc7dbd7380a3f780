import { Flock, defineAgent, defineRouter, type FlockOptions, type NextFunction } from '@flock-ts/core';
import { z } from 'zod';

/** The agent a Collatz run starts at. */
export const COLLATZ_START_AGENT = 'start';

/** Options of {@link createCollatzFlock}; any flock option passes through. */
export type CollatzOptions = Omit<FlockOptions, 'name' | 'agents'> & {
  /** Flock name (default `collatz`). */
  name?: string;
  /** Hand-offs by the `parity` router (default) or by `next` functions. */
  routing?: 'router' | 'next';
};

const State = z.object({ n: z.int().min(1), steps: z.int().min(0) });

/** Where the sequence goes from `n`: halve an even number, triple-plus-one an odd one, stop at 1. */
function nextFor(n: unknown): 'halve' | 'triple' | null {
  const value = Number(n);
  if (value === 1) return null;
  return value % 2 === 0 ? 'halve' : 'triple';
}

/**
 * A tiny cyclic flock for tests: it walks the Collatz sequence of `n`. The
 * agents `halve` and `triple` hand off to each other (and to themselves)
 * through a code router until `n` reaches 1, so a run takes as many steps as
 * the sequence is long (plus `start`); `steps` counts them and the variable
 * `peak` holds the highest value seen. With a low `maxIterations` the run
 * fails with a `FlockRunFailedError` of code `MAX_ITERATIONS_EXCEEDED`.
 *
 * @example
 * const { output } = await createCollatzFlock().run({ startAgent: 'start', input: { n: 6 } });
 * // output => { n: 1, steps: 8 }
 */
export function createCollatzFlock(options: CollatzOptions = {}): Flock {
  const { name = 'collatz', routing = 'router', ...flockOptions } = options;
  const parity = defineRouter({
    name: 'parity',
    description: 'halve when even, triple-plus-one when odd, stop at 1',
    route: ({ output }) => ({ nextAgent: nextFor(output.n), reason: `n = ${String(output.n)}` }),
  });
  const next: NextFunction = (_ctx, output) => nextFor(output.n);
  const handoff = routing === 'router' ? parity : next;

  const track = (n: number, ctx: { getVariable<T>(key: string): T | undefined; setVariable(key: string, value: unknown): void }) => {
    ctx.setVariable('peak', Math.max(n, ctx.getVariable<number>('peak') ?? 0));
  };

  return new Flock({
    maxIterations: 200,
    ...flockOptions,
    name,
    routers: [parity],
    agents: [
      defineAgent({
        name: 'start',
        description: 'Starts the sequence',
        input: z.object({ n: z.int().min(1).describe('a positive integer') }),
        output: State,
        evaluate: ({ n }, ctx) => {
          track(n, ctx);
          return { n, steps: 0 };
        },
        next: handoff,
      }),
      defineAgent({
        name: 'halve',
        input: State,
        output: State,
        evaluate: ({ n, steps }, ctx) => {
          track(n / 2, ctx);
          return { n: n / 2, steps: steps + 1 };
        },
        next: handoff,
      }),
      defineAgent({
        name: 'triple',
        input: State,
        output: State,
        evaluate: ({ n, steps }, ctx) => {
          track(3 * n + 1, ctx);
          return { n: 3 * n + 1, steps: steps + 1 };
        },
        next: handoff,
      }),
    ],
  });
}
