import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Flock, defineAgent, type FlockOptions, type Agent, type NoExecutorFields } from '@flock-ts/core';
import { z } from 'zod';
import { rankDocuments } from './ranking';
import { renderReport } from './report';
import { DocumentStatsSchema, RankedDocumentSchema } from './schemas';
import { DEFAULT_STOP_WORDS, analyzeText } from './text-stats';

/** The agent a corpus report run starts at. */
export const CORPUS_REPORT_START_AGENT = 'reader';

/** Options of {@link createCorpusReportFlock}; any flock option (e.g. `enableTemporal`) passes through. */
export type CorpusReportOptions<X extends object = NoExecutorFields> = Omit<FlockOptions<Agent, X>, 'name' | 'agents'> & {
  /** Flock name (default `corpus-report`). */
  name?: string;
  /** Top words listed per document (default 5). */
  topWords?: number;
  /** Words left out of the top-word lists. */
  stopWords?: string[];
  /** Share of lexical richness in the ranking score, 0..1 (default 0.5). */
  richnessWeight?: number;
  /** Report title (default `Corpus report`). */
  title?: string;
};

/** Reads every `.txt` file of a folder (not recursive), in name order. */
async function readTextFiles(folder: string, onFile: (file: string) => void): Promise<Array<{ file: string; text: string }>> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.txt'))
    .map((entry) => entry.name)
    .sort();
  if (!files.length) throw new Error(`no .txt files in folder "${folder}"`);
  const texts = [];
  for (const file of files) {
    onFile(file);
    texts.push({ file, text: await readFile(join(folder, file), 'utf8') });
  }
  return texts;
}

/**
 * An example Flock that does real work without a model: `reader` extracts
 * statistics from each `.txt` file of a folder, `ranker` ranks the documents
 * by lexical richness and readability (explaining each score), `reporter`
 * writes a markdown report. Static hand-offs: reader -> ranker -> reporter.
 *
 * @example
 * const flock = createCorpusReportFlock();
 * const { output } = await flock.run({ startAgent: 'reader', input: { folder: exampleCorpusPath } });
 * console.log(output.report, output.bestDocument);
 */
export function createCorpusReportFlock<X extends object = NoExecutorFields>(options: CorpusReportOptions<X> = {}) {
  const { name = 'corpus-report', topWords = 5, stopWords, richnessWeight = 0.5, title = 'Corpus report', ...flockOptions } = options;

  const reader = defineAgent({
    name: 'reader',
    description: 'Reads the .txt files of a folder and extracts statistics per file',
    input: 'folder: string | folder of .txt files',
    output: z.object({ documents: z.array(DocumentStatsSchema) }),
    settings: { topWords, stopWords: [...(stopWords ?? DEFAULT_STOP_WORDS)] },
    evaluate: async ({ folder }, ctx) => {
      const files = await readTextFiles(folder, (file) => ctx.heartbeat({ reading: file }));
      const settings = ctx.settings as { topWords: number; stopWords: string[] };
      return { documents: files.map(({ file, text }) => analyzeText(file, text, settings)) };
    },
    next: 'ranker',
  });

  const ranker = defineAgent({
    name: 'ranker',
    description: 'Ranks documents by lexical richness (Guiraud) and reading ease (Flesch), explaining each score',
    input: z.object({ documents: z.array(DocumentStatsSchema) }),
    output: z.object({ ranking: z.array(RankedDocumentSchema) }),
    settings: { richnessWeight },
    evaluate: ({ documents }, ctx) => ({ ranking: rankDocuments(documents, { richnessWeight: Number(ctx.settings.richnessWeight) }) }),
    next: 'reporter',
  });

  const reporter = defineAgent({
    name: 'reporter',
    description: 'Writes a markdown report of the ranking',
    input: z.object({ ranking: z.array(RankedDocumentSchema), documents: z.array(DocumentStatsSchema) }),
    output: 'report: string | markdown report, bestDocument: string | file name of the top-ranked document',
    settings: { title },
    evaluate: ({ ranking, documents }, ctx) => ({
      report: renderReport(ranking, documents, String(ctx.settings.title)),
      bestDocument: ranking[0]?.file ?? '',
    }),
  });

  return new Flock({
    description: 'Reads a folder of text files, ranks them by lexical richness and readability, writes a markdown report',
    ...flockOptions,
    name,
    agents: [reader, ranker, reporter],
  });
}
