import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Flock, defineAgent, defineTool, type FlockOptions, type Agent, type NoExecutorFields } from '@flock-ts/core';
import { llmRouter, modelEvaluator } from '@flock-ts/llm';
import { z } from 'zod';
import { analyzeText } from './text-stats';

/** The agent a model briefing run starts at. */
export const MODEL_BRIEFING_START_AGENT = 'reader';

/** Options of {@link createModelBriefingFlock}; any flock option (e.g. `enableTemporal`) passes through. */
export type ModelBriefingOptions<X extends object = NoExecutorFields> = Omit<FlockOptions<Agent, X>, 'name' | 'agents' | 'tools' | 'routers'> & {
  /** Flock name (default `model-briefing`). */
  name?: string;
  /** Tool calls the briefer may make (default 6). */
  maxToolCalls?: number;
  /** Routing choices below this confidence end the run after the brief (default 0.5). */
  minConfidence?: number;
};

const DocumentSchema = z.object({ file: z.string().describe('file name within the folder'), text: z.string() });

async function readDocuments(folder: string): Promise<Array<z.infer<typeof DocumentSchema>>> {
  const files = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.txt'))
    .map((entry) => entry.name)
    .sort();
  if (!files.length) throw new Error(`no .txt files in folder "${folder}"`);
  return Promise.all(files.map(async (file) => ({ file, text: (await readFile(join(folder, file), 'utf8')).trim() })));
}

/**
 * The model a demo of {@link createModelBriefingFlock} uses, from the
 * environment: `FLOCK_MODEL` as given; else an OpenAI-compatible server at
 * `FLOCK_OPENAI_BASE_URL` (model `FLOCK_OPENAI_MODEL`, default `llama3.2`);
 * else `openai:gpt-4o-mini` with `OPENAI_API_KEY`; else
 * `anthropic:claude-haiku-4-5` with `ANTHROPIC_API_KEY`; else an
 * OpenAI-compatible server at `OPENAI_BASE_URL`. `undefined` when nothing is set.
 *
 * @example
 * demoModelFromEnv({ FLOCK_OPENAI_BASE_URL: 'http://localhost:11434/v1', FLOCK_OPENAI_MODEL: 'qwen2.5' }) // => 'openai-compatible:qwen2.5'
 */
export function demoModelFromEnv(env: Record<string, string | undefined> = process.env): string | undefined {
  const set = (key: string) => (env[key]?.trim() ? env[key]?.trim() : undefined);
  const localModel = `openai-compatible:${set('FLOCK_OPENAI_MODEL') ?? 'llama3.2'}`;
  if (set('FLOCK_MODEL')) return set('FLOCK_MODEL');
  if (set('FLOCK_OPENAI_BASE_URL')) return localModel;
  if (set('OPENAI_API_KEY')) return 'openai:gpt-4o-mini';
  if (set('ANTHROPIC_API_KEY')) return 'anthropic:claude-haiku-4-5';
  if (set('OPENAI_BASE_URL')) return localModel;
  return undefined;
}

/**
 * An example Flock evaluated by a model: `reader` (code) reads the `.txt`
 * files of a folder; `briefer` (model, with the `topTerms` tool) writes a
 * structured brief and names its audience; the `audience` LLM router hands
 * the brief to `engineeringNotes` or `executiveSummary` (both model agents),
 * or ends the run when neither fits. Every model call uses the flock's
 * `model` (else `FLOCK_MODEL`).
 *
 * @example
 * const flock = createModelBriefingFlock({ model: 'openai:gpt-4o-mini' });
 * const { output, usage } = await flock.run({ startAgent: 'reader', input: { folder: exampleCorpusPath } });
 */
export function createModelBriefingFlock<X extends object = NoExecutorFields>(options: ModelBriefingOptions<X> = {}) {
  const { name = 'model-briefing', maxToolCalls = 6, minConfidence = 0.5, ...flockOptions } = options;

  const topTerms = defineTool({
    name: 'topTerms',
    description: 'The most frequent words of one document (stop words left out)',
    input: 'file: string | a file name from the documents',
    execute: ({ file }, ctx) => {
      const documents = (ctx.lastOutput('reader')?.['documents'] ?? []) as Array<z.infer<typeof DocumentSchema>>;
      const document = documents.find((doc) => doc.file === file);
      if (!document) throw new Error(`no document "${String(file)}" (documents: ${documents.map((doc) => doc.file).join(', ')})`);
      return analyzeText(document.file, document.text, { topWords: 8 }).topWords;
    },
  });

  const reader = defineAgent({
    name: 'reader',
    description: 'Reads the .txt files of a folder',
    input: 'folder: string | folder of .txt files',
    output: z.object({ documents: z.array(DocumentSchema) }),
    evaluate: async ({ folder }) => ({ documents: await readDocuments(folder) }),
    next: 'briefer',
  });

  const briefer = defineAgent({
    name: 'briefer',
    description: 'Writes a short brief of a set of documents and says who should read it next',
    input: z.object({ documents: z.array(DocumentSchema).describe('the documents to brief') }),
    // the topTerms tool reads the reader's output through ctx.lastOutput('reader')
    context: { history: 1 },
    output:
      'brief: string | three sentences on what the documents are about, keyTerms: string[] | up to five terms that matter most, ' +
      "audience: 'engineers' | 'managers' | who should act on the brief",
    evaluator: modelEvaluator({
      instructions: 'Check what each document is about with topTerms before you write. Be factual; quote no more than five words.',
      temperature: 0.2,
      maxToolCalls,
    }),
    tools: [topTerms],
    next: llmRouter({
      name: 'audience',
      minConfidence,
      agents: ['engineeringNotes', 'executiveSummary'],
      instructions: "Follow the brief's audience: engineers get notes, managers a summary.",
    }),
  });

  const engineeringNotes = defineAgent({
    name: 'engineeringNotes',
    description: 'Turns a brief into short technical notes for engineers',
    input: 'brief: string, keyTerms: string[]',
    output: 'notes: string[] | three to five short technical notes',
    evaluator: modelEvaluator({ temperature: 0.2, maxToolCalls: 0 }),
  });

  const executiveSummary = defineAgent({
    name: 'executiveSummary',
    description: 'Turns a brief into a decision summary for managers',
    input: 'brief: string',
    output: 'summary: string | two sentences for a busy manager, decision?: string | the decision the documents call for, if any',
    evaluator: modelEvaluator({ temperature: 0.2, maxToolCalls: 0 }),
  });

  return new Flock({
    description: 'Reads a folder of text files and briefs them with a model: tools, structured outputs and an LLM router',
    ...flockOptions,
    name,
    agents: [reader, briefer, engineeringNotes, executiveSummary],
  });
}
