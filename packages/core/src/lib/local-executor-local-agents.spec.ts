import { Flock } from './flock';
import { runLocally } from './local-executor';

describe('runLocally and temporalActivityConfig.local', () => {
  it('ignores the switch: a local: true agent runs in process like any other, with the same steps and output', async () => {
    const make = (local: boolean) =>
      new Flock({
        name: 'fast-path',
        temporalConfig: { activityDefaults: { local } },
        agents: [
          {
            name: 'split',
            input: 'text: string',
            output: 'words: string[]',
            evaluate: ({ text }) => ({ words: String(text).split(' ') }),
            next: 'count',
            temporalActivityConfig: { local: true },
          },
          { name: 'count', input: 'words: string[]', output: 'count: integer', evaluate: ({ words }) => ({ count: (words as string[]).length }) },
        ],
      });
    const request = { startAgent: 'split', input: { text: 'a b c' }, runId: 'r-local' };
    const withSwitch = await runLocally(make(true), request);
    const without = await runLocally(make(false), request);
    expect(withSwitch.output).toEqual({ count: 3 });
    expect(withSwitch.steps.map((s) => s.agent)).toEqual(['split', 'count']);
    expect(withSwitch.output).toEqual(without.output);
    expect(withSwitch.steps.map((s) => [s.agent, s.attempt])).toEqual(without.steps.map((s) => [s.agent, s.attempt]));
  });
});
