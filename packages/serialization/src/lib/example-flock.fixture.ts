import type { FlockDefinitionInput } from '@flock-ts/config';

/**
 * The definition of the README's example flock (`createCorpusReportFlock()`
 * of @flock-ts/examples, `toDefinition()`), as it was when the memo was made
 * compact: three agents, two of them with zod signatures turned to JSON
 * Schema, ~6 KB of JSON. @flock-ts/temporal's run-start-memo.spec.ts
 * measures the live example, so this copy may age without hiding a regression.
 */
export function exampleFlockDefinition(): FlockDefinitionInput {
  const count = (minimum: number, description?: string) => ({ type: 'integer', minimum, maximum: 9007199254740991, ...(description ? { description } : {}) });
  const object = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false });
  const schema = (properties: Record<string, unknown>) => ({ jsonSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...object(properties) } });
  const documents = {
    type: 'array',
    items: object({
      file: { type: 'string', description: 'file name within the folder' },
      words: count(0),
      sentences: count(0),
      uniqueWords: count(0),
      syllables: count(0, 'estimated English syllables'),
      avgSentenceLength: { type: 'number', minimum: 0, description: 'words per sentence' },
      topWords: { type: 'array', items: object({ word: { type: 'string' }, count: count(1) }), description: 'most frequent words, stop words excluded' },
    }),
  };
  const ranking = {
    type: 'array',
    items: object({
      rank: count(1),
      file: { type: 'string' },
      score: { type: 'number', description: '0..100, higher is better' },
      richness: { type: 'number', description: "Guiraud's index: unique words / sqrt(words)" },
      readingEase: { type: 'number', description: 'Flesch reading ease' },
      explanation: { type: 'string' },
    }),
  };
  const code = { evaluator: { kind: 'code' as const }, tools: [], components: [] };
  const stopWords =
    'a an and are as at be been but by did do for from had has have he her his i in into is it its itself not of on one or she so some that the their them then there they this to was we were which with you';
  return {
    name: 'corpus-report',
    description: 'Reads a folder of text files, ranks them by lexical richness and readability, writes a markdown report',
    agents: [
      {
        name: 'reader',
        description: 'Reads the .txt files of a folder and extracts statistics per file',
        input: 'folder: string | folder of .txt files',
        output: schema({ documents }),
        ...code,
        next: { kind: 'static', agent: 'ranker' },
        settings: { topWords: 5, stopWords: stopWords.split(' ') },
      },
      {
        name: 'ranker',
        description: 'Ranks documents by lexical richness (Guiraud) and reading ease (Flesch), explaining each score',
        input: schema({ documents }),
        output: schema({ ranking }),
        ...code,
        next: { kind: 'static', agent: 'reporter' },
        settings: { richnessWeight: 0.5 },
      },
      {
        name: 'reporter',
        description: 'Writes a markdown report of the ranking',
        input: schema({ ranking, documents }),
        output: 'report: string | markdown report, bestDocument: string | file name of the top-ranked document',
        ...code,
        settings: { title: 'Corpus report' },
      },
    ],
    maxIterations: 20,
    enableTemporal: false,
    temporalConfig: {},
    temporalStartInProcessWorker: false,
    metadata: {},
  };
}
