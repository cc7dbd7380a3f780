import { Flock, type RunResult } from '@flock-ts/core';
import '../src';
import { parityScenarios as scenarios, type Scenario } from '@flock-ts/examples';
import { rejection, temporalConfigFor, uniqueQueue } from './harness';

type Mode = 'local' | 'temporal';

function buildFlock(scenario: Scenario, mode: Mode): Flock {
  const flock = new Flock({
    name: `parity-${scenario.name.replace(/[^a-z]+/gi, '-').slice(0, 40)}`.replace(/-+$/, ''),
    maxIterations: scenario.maxIterations ?? 20,
    ...(mode === 'temporal'
      ? {
          enableTemporal: true,
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
    variables: result.variables,
    usage: result.usage,
  };
}

describe.each<Mode>(['local', 'temporal'])('scenario table on the %s executor', (mode) => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const flock = buildFlock(scenario, mode);
      const run = flock.run({ startAgent: scenario.startAgent, input: scenario.input });
      if (scenario.expected) {
        const { variables, usage, ...expected } = scenario.expected;
        const result = summary(await run);
        expect(result).toMatchObject(expected);
        if (variables) expect(result.variables).toEqual(variables);
        expect(result.usage).toEqual(usage);
      } else {
        const error = await rejection(run);
        for (const mention of scenario.errorMentions ?? []) expect(error.message).toMatch(mention);
      }
    }, 60_000);
  }
});

describe('both executors agree', () => {
  it('give equal results for every succeeding scenario', async () => {
    for (const scenario of scenarios.filter((s) => s.expected)) {
      const [local, temporal] = await Promise.all([
        buildFlock(scenario, 'local').run({ startAgent: scenario.startAgent, input: scenario.input }),
        buildFlock(scenario, 'temporal').run({ startAgent: scenario.startAgent, input: scenario.input }),
      ]);
      expect(summary(temporal)).toEqual(summary(local));
      expect(temporal.steps.map((s) => s.inputs)).toEqual(local.steps.map((s) => s.inputs));
    }
  }, 120_000);
});
