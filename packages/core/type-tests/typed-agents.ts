// defineAgent keeps its name and types, and types what its code sees.
import { defineAgent, defineRouter, type Agent, type AgentInput, type AgentOutput } from '../src/index';
import { z } from 'zod';
import { expectTrue, type Equal } from './expect';

export const summarizer = defineAgent({
  name: 'summarizer',
  input: 'text: string | the text to summarize, limit?: integer',
  output: 'summary: string, words: integer, sources: string[]',
  evaluate: ({ text, limit }) => {
    expectTrue<Equal<typeof text, string>>();
    expectTrue<Equal<typeof limit, number | undefined>>();
    return { summary: text.slice(0, limit ?? 80), words: text.split(/\s+/).length, sources: [] };
  },
  next: (_ctx, output) => (output.words > 100 ? 'shortener' : null),
});
expectTrue<Equal<typeof summarizer, Agent<'summarizer', { text: string; limit?: number }, { summary: string; words: number; sources: string[] }, true>>>();

export const ranker = defineAgent({
  name: 'ranker',
  input: z.object({ scores: z.array(z.number()), top: z.int().default(3) }),
  output: z.object({ best: z.array(z.number()) }),
  evaluate: ({ scores, top }) => ({ best: [...scores].sort((a, b) => b - a).slice(0, top) }),
  next: 'reporter',
});
// a run gives the zod input type (top may be left out); the static next means it never ends a run
expectTrue<Equal<AgentInput<typeof ranker>, { scores: number[]; top?: number | undefined }>>();
expectTrue<Equal<AgentOutput<typeof ranker>, { best: number[] }>>();
expectTrue<Equal<typeof ranker, Agent<'ranker', AgentInput<typeof ranker>, { best: number[] }, false>>>();

export const reviewer = defineAgent({
  name: 'reviewer',
  input: 'draft: string',
  output: "verdict: 'ship' | 'rework', note?: string",
  human: { prompt: 'Ship it?', timeoutSeconds: 60, fallback: { verdict: 'ship' } },
});

export const routed = defineAgent({
  name: 'routed',
  input: 'q: string',
  output: 'a: string',
  evaluate: ({ q }) => ({ a: q }),
  next: defineRouter({ name: 'pick', route: () => ({ nextAgent: null }) }),
});
expectTrue<Equal<typeof routed, Agent<'routed', { q: string }, { a: string }, true>>>();

// a typed agent is an Agent
export const anyAgents: Agent[] = [summarizer, ranker, reviewer, routed];

defineAgent({
  name: 'wrong-output-type',
  input: 'text: string',
  output: 'words: integer',
  // @ts-expect-error -- Type 'string' is not assignable to type 'number'
  evaluate: ({ text }) => ({ words: text }),
});

defineAgent({
  name: 'missing-output-field',
  input: 'text: string',
  output: 'summary: string, words: integer',
  // @ts-expect-error -- Property 'words' is missing
  evaluate: ({ text }) => ({ summary: text }),
});

defineAgent({
  name: 'undeclared-input',
  input: 'text: string',
  output: 'summary: string',
  // @ts-expect-error -- Property 'title' does not exist on type '{ text: string; }'
  evaluate: ({ title }) => ({ summary: String(title) }),
});

defineAgent({
  name: 'zod-undeclared-input',
  input: z.object({ text: z.string() }),
  output: z.object({ n: z.number() }),
  // @ts-expect-error -- Property 'size' does not exist
  evaluate: (inputs) => ({ n: inputs.size }),
});

defineAgent({
  name: 'next-reads-output',
  input: 'text: string',
  output: 'summary: string',
  evaluate: ({ text }) => ({ summary: text }),
  // @ts-expect-error -- Property 'words' does not exist on type '{ summary: string; }'
  next: (_ctx, output) => (output.words ? 'again' : null),
});

defineAgent({
  name: 'bad-fallback',
  input: 'draft: string',
  output: "verdict: 'ship' | 'rework'",
  // @ts-expect-error -- Type '"maybe"' is not assignable to type '"ship" | "rework"'
  human: { fallback: { verdict: 'maybe' } },
});
expectTrue<Equal<typeof reviewer, Agent<'reviewer', { draft: string }, { verdict: 'ship' | 'rework'; note?: string }, true>>>();
