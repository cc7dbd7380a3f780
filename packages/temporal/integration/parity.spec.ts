import { Flock, type RunResult, type StepRecord } from '@flock-ts/core';
import { parityScenarios as scenarios, type Scenario } from '@flock-ts/examples/testing';
import { rejection, temporalConfigFor, uniqueQueue } from './harness';
import { temporal } from '../src';

type Mode = 'local' | 'temporal';

function buildFlock(scenario: Scenario, mode: Mode): Flock {
  const flock = new Flock({
    name: `parity-${scenario.name.replace(/[^a-z]+/gi, '-').slice(0, 40)}`.replace(/-+$/, ''),
    maxIterations: scenario.maxIterations ?? 20,
    ...(mode === 'temporal'
      ? {
          executor: temporal(),
          // one attempt: failures should fail now, not after backoff
          temporalConfig: temporalConfigFor(uniqueQueue('parity'), { activityDefaults: { retryMaxAttempts: 1 } }),
          temporalStartInProcessWorker: true,
        }
      : {}),
  });
  for (const router of scenario.routers?.() ?? []) flock.registerRouter(router);
  for (const agent of scenario.agents()) flock.addAgent(agent);
  return flock;
}

function summary(result: RunResult) {
  return {
    lastAgent: result.lastAgent,
    output: result.output,
    agents: result.steps.map((s) => s.agent),
    stepCount: result.stepCount,
    variables: result.variables,
    usage: result.usage,
  };
}

describe.each<Mode>(['local', 'temporal'])('scenario table on the %s executor', (mode) => {
  for (const scenario of scenarios) {
    it(
      scenario.name,
      async () => {
        const flock = buildFlock(scenario, mode);
        const run = flock.run({ startAgent: scenario.startAgent, input: scenario.input });
        if (scenario.expected) {
          const { variables, usage, stepCount, ...expected } = scenario.expected;
          const result = summary(await run);
          expect(result).toMatchObject({ ...expected, stepCount: stepCount ?? expected.agents.length });
          if (variables) expect(result.variables).toEqual(variables);
          expect(result.usage).toEqual(usage);
        } else {
          const error = await rejection(run);
          const { mentions, ...expected } = scenario.error ?? { mentions: [] };
          // one error model on both executors: the same name, code, agent and cause type
          expect(error).toMatchObject({ name: 'FlockRunFailedError', ...expected });
          for (const mention of mentions) expect(error.message).toMatch(mention);
        }
      },
      60_000,
    );
  }
});

describe('both executors agree', () => {
  it('give equal results for every succeeding scenario', async () => {
    for (const scenario of scenarios.filter((s) => s.expected)) {
      const steps: Record<Mode, StepRecord[]> = { local: [], temporal: [] };
      const [local, temporal] = await Promise.all(
        (['local', 'temporal'] as const).map((mode) =>
          buildFlock(scenario, mode).run({ startAgent: scenario.startAgent, input: scenario.input, onStep: (step) => steps[mode].push(step) }),
        ),
      );
      expect(summary(temporal)).toEqual(summary(local));
      // every step reaches onStep, whole and in order, on both executors
      const comparable = (records: StepRecord[]) =>
        records.map(({ step, agent, inputs, output, nextAgent, usage, routingUsage }) => ({ step, agent, inputs, output, nextAgent, usage, routingUsage }));
      expect(comparable(steps.temporal)).toEqual(comparable(steps.local));
      expect(steps.local).toHaveLength(local.stepCount);
    }
  }, 120_000);
});
