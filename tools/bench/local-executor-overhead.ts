/**
 * Local executor overhead per agent step, over a bare call of the same
 * evaluator function. Goal: <= 20 us per step.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/local-executor-overhead.ts [--steps 1000] [--rounds 30]
 *
 * Two workloads:
 * - chain: one run of a static chain of N trivial agents (a0 -> a1 -> ... ),
 * - runs: many runs of a 3-agent chain (run setup included).
 * Each is timed as the median of several rounds after a warm-up, minus the
 * median of the bare loop that awaits the evaluator N times.
 */
import { Flock, defineAgent, type Agent } from '@flock-ts/core';
import { median } from './stats';

const GOAL_US = 20;

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const steps = arg('steps', 1000);
const rounds = arg('rounds', 30);

// The evaluator both measurements call: what an agent does, minus the framework.
const increment = ({ n }: { n: number }): { n: number } => ({ n: n + 1 });

function chain(length: number, name: string): Flock {
  const agents: Agent[] = [];
  for (let i = 0; i < length; i++) {
    agents.push(
      defineAgent({
        name: `a${i}`,
        input: 'n: integer',
        output: 'n: integer',
        evaluate: increment,
        ...(i + 1 < length ? { next: `a${i + 1}` } : {}),
      }),
    );
  }
  return new Flock({ name, agents, maxIterations: Math.max(length, 1) });
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1000; // microseconds
}

async function bare(count: number): Promise<void> {
  let inputs = { n: 0 };
  for (let i = 0; i < count; i++) inputs = await increment(inputs);
  if (inputs.n !== count) throw new Error('bare loop miscounted');
}

async function measure(label: string, totalSteps: number, work: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 5; i++) {
    await work();
    await bare(totalSteps);
  }
  const framework: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    framework.push(await time(work));
    baseline.push(await time(() => bare(totalSteps)));
  }
  const perStep = (median(framework) - median(baseline)) / totalSteps;
  console.log(
    `${label.padEnd(34)} ${totalSteps} steps: framework ${(median(framework) / 1000).toFixed(2)} ms, ` +
      `bare ${(median(baseline) / 1000).toFixed(3)} ms -> overhead ${perStep.toFixed(2)} us/step`,
  );
  return perStep;
}

async function main(): Promise<void> {
  const long = chain(steps, 'bench-chain');
  const chainOverhead = await measure(`chain of ${steps} agents, 1 run`, steps, async () => {
    const result = await long.run({ startAgent: 'a0', input: { n: 0 } });
    if (result.output.n !== steps) throw new Error(`chain produced ${String(result.output.n)}`);
  });

  const short = chain(3, 'bench-short');
  const runs = Math.max(1, Math.round(steps / 3));
  const runsOverhead = await measure(`${runs} runs of a 3-agent chain`, runs * 3, async () => {
    for (let i = 0; i < runs; i++) {
      const result = await short.run({ startAgent: 'a0', input: { n: 0 } });
      if (result.output.n !== 3) throw new Error('short chain miscounted');
    }
  });

  const worst = Math.max(chainOverhead, runsOverhead);
  console.log(`\nlocal executor overhead: ${worst.toFixed(2)} us per agent step (goal <= ${GOAL_US} us) -> ${worst <= GOAL_US ? 'OK' : 'ABOVE GOAL'}`);
  if (worst > GOAL_US) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
