import type { StepRecord } from '@flock-ts/core';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn } from '@flock-ts/llm/testing';
import { exampleCorpusPath } from './corpus-path';
import { MODEL_BRIEFING_START_AGENT, createModelBriefingFlock, demoModelFromEnv } from './model-briefing-flock';
import { analyzeText } from './text-stats';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The example flock runs against the OpenAI-compatible stand-in over HTTP:
// the stand-in plays the model, everything else is the real flock.

let server: OpenAICompatibleStandIn;
const savedBaseUrl = process.env['FLOCK_OPENAI_BASE_URL'];

beforeAll(async () => {
  server = await startOpenAICompatibleStandIn();
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
});

afterAll(async () => {
  if (savedBaseUrl === undefined) delete process.env['FLOCK_OPENAI_BASE_URL'];
  else process.env['FLOCK_OPENAI_BASE_URL'] = savedBaseUrl;
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

const usage = (promptTokens: number, completionTokens: number) => ({ promptTokens, completionTokens });
const brief = { brief: 'A lighthouse, pancakes, tide pools and a committee memo.', keyTerms: ['lighthouse', 'memo'], audience: 'managers' };

function run(onStep?: (step: StepRecord) => void) {
  return createModelBriefingFlock({ model: 'openai-compatible:briefing-model' }).run({
    startAgent: MODEL_BRIEFING_START_AGENT,
    input: { folder: exampleCorpusPath },
    ...(onStep ? { onStep } : {}),
  });
}

function messagesOf(index: number): string {
  return JSON.stringify(server.requests[index].body['messages']);
}

describe('createModelBriefingFlock (OpenAI-compatible stand-in over HTTP)', () => {
  it('briefs the corpus with a tool call, routes to the summary by model and sums the tokens', async () => {
    server.reply(
      { toolCalls: [{ name: 'topTerms', args: { file: 'lighthouse.txt' } }], usage: usage(300, 10) },
      { output: brief, usage: usage(340, 40) },
      { output: { nextAgent: 'executiveSummary', confidence: 0.9, reason: 'the brief is for managers' }, usage: usage(120, 15) },
      { output: { summary: 'Four short texts; one memo asks for a decision.', decision: null }, usage: usage(90, 20) },
    );
    const steps: StepRecord[] = [];
    const result = await run((step) => steps.push(step));

    expect(result.steps.map((step) => step.agent)).toEqual(['reader', 'briefer', 'executiveSummary']);
    expect(result.output).toEqual({ summary: 'Four short texts; one memo asks for a decision.' });
    expect(steps[1].output).toEqual(brief);
    expect(result.steps.map((step) => step.usage?.totalTokens)).toEqual([undefined, 690, 110]);
    // the router's 135 tokens are kept on the step that routed and count in the run
    expect(result.steps[1].routingUsage).toEqual({ inputTokens: 120, outputTokens: 15, totalTokens: 135, modelCalls: 1 });
    expect(result.usage).toEqual({ inputTokens: 850, outputTokens: 85, totalTokens: 935, modelCalls: 4 });
  });

  it('gives the model the documents, the real tool results and the agents to route to', async () => {
    server.reply(
      { toolCalls: [{ name: 'topTerms', args: { file: 'lighthouse.txt' } }] },
      { output: { ...brief, audience: 'engineers' } },
      { output: { nextAgent: 'engineeringNotes', confidence: 0.8, reason: 'technical' } },
      { output: { notes: ['Keep the lamp lit.'] } },
    );
    const result = await run();
    expect(result.output).toEqual({ notes: ['Keep the lamp lit.'] });

    const lighthouse = (await readFile(join(exampleCorpusPath, 'lighthouse.txt'), 'utf8')).trim();
    const messages = (index: number) => server.requests[index].body['messages'] as Array<{ role: string; content: string }>;
    expect(messages(0)[1].content).toContain(JSON.stringify(lighthouse));
    const toolMessage = messages(1).at(-1);
    expect(JSON.parse(toolMessage?.content ?? 'null')).toEqual(analyzeText('lighthouse.txt', lighthouse, { topWords: 8 }).topWords);
    expect(messagesOf(2)).toContain('- engineeringNotes: Turns a brief into short technical notes for engineers');
    expect(messagesOf(2)).not.toContain('- reader:');
    expect(server.requests.map((request) => request.body['model'])).toEqual(Array(4).fill('briefing-model'));
  });

  it('ends after the brief when the router finds no agent that fits', async () => {
    server.reply({ output: brief }, { output: { nextAgent: 'none', confidence: 0.9, reason: 'nobody needs it' } });
    const result = await run();
    expect(result.steps.map((step) => step.agent)).toEqual(['reader', 'briefer']);
    expect(result.output).toEqual(brief);
  });
});

describe('demoModelFromEnv', () => {
  it('prefers FLOCK_MODEL, then a local server, then the providers with a key', () => {
    expect(demoModelFromEnv({ FLOCK_MODEL: 'anthropic:claude-sonnet-4-5', OPENAI_API_KEY: 'k' })).toBe('anthropic:claude-sonnet-4-5');
    expect(demoModelFromEnv({ FLOCK_OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_API_KEY: 'k' })).toBe('openai-compatible:llama3.2');
    expect(demoModelFromEnv({ FLOCK_OPENAI_BASE_URL: 'http://localhost:8000/v1', FLOCK_OPENAI_MODEL: 'qwen2.5' })).toBe('openai-compatible:qwen2.5');
    expect(demoModelFromEnv({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' })).toBe('openai:gpt-4o-mini');
    expect(demoModelFromEnv({ ANTHROPIC_API_KEY: 'k' })).toBe('anthropic:claude-haiku-4-5');
    expect(demoModelFromEnv({ OPENAI_BASE_URL: 'http://localhost:8080/v1' })).toBe('openai-compatible:llama3.2');
  });

  it('gives nothing without a key or a base URL', () => {
    expect(demoModelFromEnv({ FLOCK_MODEL: ' ', PATH: '/usr/bin' })).toBeUndefined();
  });
});
