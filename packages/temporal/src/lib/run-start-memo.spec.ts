import {
  COLLATZ_START_AGENT,
  CORPUS_REPORT_START_AGENT,
  REVIEWED_BRIEF_START_AGENT,
  createCollatzFlock,
  createCorpusReportFlock,
  createReviewedBriefFlock,
} from '@flock-ts/examples';
import { TEMPORAL_MEMO_WARN_BYTES, decodeFlockMemo, memoSize } from '@flock-ts/serialization';
import { buildFlockWorkflowStart } from './run-start';

// The memo a run starts with, as the server measures it against `limit.memoSize.warn`
// (issue 17: the README example's ~6 KB memo made the server warn on every run).
describe('the memo of a run of an example flock', () => {
  const examples = [
    { flock: createCorpusReportFlock(), startAgent: CORPUS_REPORT_START_AGENT },
    { flock: createReviewedBriefFlock(), startAgent: REVIEWED_BRIEF_START_AGENT },
    { flock: createCollatzFlock(), startAgent: COLLATZ_START_AGENT },
  ];

  it.each(examples.map((example) => [example.flock.name, example] as const))('stays under the server memo warning limit: %s', (_name, { flock, startAgent }) => {
    const start = buildFlockWorkflowStart(flock.toDefinition(), { startAgent, input: {} });
    expect(memoSize(start.options.memo ?? {})).toBeLessThanOrEqual(TEMPORAL_MEMO_WARN_BYTES);
    expect(start.options.memo).toMatchObject({ flockName: flock.name, workflowVersion: 2 });
  });

  it.each(examples.map((example) => [example.flock.name, example] as const))('holds the definition the run starts with: %s', (_name, { flock, startAgent }) => {
    const start = buildFlockWorkflowStart(flock.toDefinition(), { startAgent, input: {} });
    expect(decodeFlockMemo(start.options.memo)).toEqual(start.options.args[0].definition);
  });

  it('leaves room for what the reviewed brief upserts while it waits for a person', () => {
    const definition = createReviewedBriefFlock().toDefinition();
    const start = buildFlockWorkflowStart(definition, { startAgent: REVIEWED_BRIEF_START_AGENT, input: {} });
    const human = definition.agents.find((agent) => agent.evaluator.kind === 'human');
    const prompt = human?.evaluator.kind === 'human' ? human.evaluator.prompt : undefined;
    const waitingFor = { kind: 'input', agent: human?.name, step: 2, signature: human?.output, prompt, since: '2025-01-01T00:00:00.000Z' };
    expect(prompt).toBeDefined();
    expect(memoSize({ ...start.options.memo, waitingFor })).toBeLessThanOrEqual(TEMPORAL_MEMO_WARN_BYTES);
  });
});
