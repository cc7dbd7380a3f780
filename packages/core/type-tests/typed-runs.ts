// A Flock keeps the types of its agents: run() and start() check the start
// agent and its input, and type the output by the agents that can end a run.
import { Flock, defineAgent, type FlockRun, type RunResult } from '../src/index';
import { z } from 'zod';
import { expectTrue, type Equal } from './expect';

const reader = defineAgent({
  name: 'reader',
  input: 'folder: string, limit?: integer',
  output: 'documents: string[]',
  evaluate: ({ folder }) => ({ documents: [folder] }),
  next: 'ranker',
});
const ranker = defineAgent({
  name: 'ranker',
  input: 'documents: string[]',
  output: z.object({ ranking: z.array(z.object({ file: z.string(), score: z.number() })) }),
  evaluate: ({ documents }) => ({ ranking: documents.map((file) => ({ file, score: 1 })) }),
  next: (_ctx, output) => (output.ranking.length ? 'reporter' : null),
});
const reporter = defineAgent({
  name: 'reporter',
  input: 'documents: string[]',
  output: 'report: string, pages: integer',
  evaluate: ({ documents }) => ({ report: documents.join('\n'), pages: 1 }),
});

const flock = new Flock({ name: 'docs', agents: [reader, ranker, reporter] });

export async function typedRun(): Promise<string> {
  const result = await flock.run({ startAgent: 'reader', input: { folder: './docs' } });
  // reader hands off statically, so the run ends at ranker or reporter
  expectTrue<Equal<typeof result.lastAgent, 'ranker' | 'reporter'>>();
  expectTrue<Equal<typeof result.output, { ranking: { file: string; score: number }[] } | { report: string; pages: number }>>();
  if (result.lastAgent === 'reporter') return result.output.report;
  return result.output.ranking.map((entry) => entry.file).join(', ');
}

export async function typedStart(): Promise<number> {
  const run = await flock.start({ startAgent: 'reporter', input: { documents: ['a.md'], extra: 'rides along' } });
  const result = await run.result();
  expectTrue<Equal<typeof result, RunResult<{ ranking: { file: string; score: number }[] }, 'ranker'> | RunResult<{ report: string; pages: number }, 'reporter'>>>();
  // every field of RunResult stays
  return result.stepCount + result.steps.length + Object.keys(result.variables).length + (result.usage?.inputTokens ?? 0);
}

export async function wrongRuns(): Promise<void> {
  // @ts-expect-error -- Type '"writer"' is not assignable to type
  await flock.run({ startAgent: 'writer', input: { folder: './docs' } });
  // @ts-expect-error -- Property 'folder' is missing in type '{ limit: number; }'
  await flock.run({ startAgent: 'reader', input: { limit: 3 } });
  // @ts-expect-error -- Type 'number' is not assignable to type 'string'
  await flock.run({ startAgent: 'reader', input: { folder: 42 } });
  // @ts-expect-error -- Type 'string' is not assignable to type 'string[]'
  await flock.start({ startAgent: 'ranker', input: { documents: 'a.md' } });
  const result = await flock.run({ startAgent: 'reader', input: { folder: './docs' } });
  // @ts-expect-error -- Property 'report' does not exist on type '{ ranking: { file: string; score: number; }[]; }'
  void result.output.report;
  // @ts-expect-error -- Property 'documents' does not exist
  void result.output.documents;
}

// options defined inline are untyped: any start agent, any input, loose output
const mixed = new Flock({
  name: 'mixed',
  agents: [reporter, { name: 'inline', input: 'x', output: 'y', evaluate: () => ({ y: 'z' }) }],
});
export async function mixedRun(): Promise<unknown> {
  const result = await mixed.run({ startAgent: 'inline', input: { x: 'a' } });
  return result.output['anything'];
}

// a flock declared without agents (added later) is untyped, as before
const later = new Flock({ name: 'later' });
later.addAgent(reporter);
export async function untypedRun(): Promise<unknown> {
  const result = await later.run({ startAgent: 'reporter', input: {} });
  expectTrue<Equal<typeof result, RunResult>>();
  return result.output['report'];
}

// a typed flock goes wherever a Flock does
export const plain: Flock = flock;
export const handle = (run: FlockRun): FlockRun => run;
export async function startPlain(): Promise<FlockRun> {
  return handle(await flock.start({ startAgent: 'reader', input: { folder: '.' } }));
}

// a start agent that takes no field still carries values for later agents
const clock = defineAgent({ name: 'clock', input: '', output: 'now: string', evaluate: () => ({ now: 'noon' }) });
export const ticking = new Flock({ name: 'clock', agents: [clock] }).run({ startAgent: 'clock', input: { zone: 'UTC' } });
