import type { FlockDefinitionInput } from '@flock-ts/config';

/**
 * The definition of the README's example flock (`createCorpusReportFlock()`
 * of @flock-ts/examples, `toDefinition()`), as it was when the memo was made
 * compact: three agents, two of them with zod signatures turned to JSON
 * Schema, ~6 KB of JSON. @flock-ts/temporal's run-start-memo.spec.ts
 * measures the live example, so this copy may age without hiding a regression.
 */
export function exampleFlockDefinition(): FlockDefinitionInput {
  return {
    name: 'corpus-report',
    description: 'Reads a folder of text files, ranks them by lexical richness and readability, writes a markdown report',
    agents: [
      {
        name: 'reader',
        description: 'Reads the .txt files of a folder and extracts statistics per file',
        input: 'folder: string | folder of .txt files',
        output: {
          jsonSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: {
              documents: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    file: { type: 'string', description: 'file name within the folder' },
                    words: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    sentences: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    uniqueWords: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    syllables: { type: 'integer', minimum: 0, maximum: 9007199254740991, description: 'estimated English syllables' },
                    avgSentenceLength: { type: 'number', minimum: 0, description: 'words per sentence' },
                    topWords: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { word: { type: 'string' }, count: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
                        required: ['word', 'count'],
                        additionalProperties: false,
                      },
                      description: 'most frequent words, stop words excluded',
                    },
                  },
                  required: ['file', 'words', 'sentences', 'uniqueWords', 'syllables', 'avgSentenceLength', 'topWords'],
                  additionalProperties: false,
                },
              },
            },
            required: ['documents'],
            additionalProperties: false,
          },
        },
        evaluator: { kind: 'code' },
        tools: [],
        components: [],
        next: { kind: 'static', agent: 'ranker' },
        settings: {
          topWords: 5,
          stopWords: [
            'a',
            'an',
            'and',
            'are',
            'as',
            'at',
            'be',
            'been',
            'but',
            'by',
            'did',
            'do',
            'for',
            'from',
            'had',
            'has',
            'have',
            'he',
            'her',
            'his',
            'i',
            'in',
            'into',
            'is',
            'it',
            'its',
            'itself',
            'not',
            'of',
            'on',
            'one',
            'or',
            'she',
            'so',
            'some',
            'that',
            'the',
            'their',
            'them',
            'then',
            'there',
            'they',
            'this',
            'to',
            'was',
            'we',
            'were',
            'which',
            'with',
            'you',
          ],
        },
      },
      {
        name: 'ranker',
        description: 'Ranks documents by lexical richness (Guiraud) and reading ease (Flesch), explaining each score',
        input: {
          jsonSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: {
              documents: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    file: { type: 'string', description: 'file name within the folder' },
                    words: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    sentences: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    uniqueWords: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    syllables: { type: 'integer', minimum: 0, maximum: 9007199254740991, description: 'estimated English syllables' },
                    avgSentenceLength: { type: 'number', minimum: 0, description: 'words per sentence' },
                    topWords: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { word: { type: 'string' }, count: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
                        required: ['word', 'count'],
                        additionalProperties: false,
                      },
                      description: 'most frequent words, stop words excluded',
                    },
                  },
                  required: ['file', 'words', 'sentences', 'uniqueWords', 'syllables', 'avgSentenceLength', 'topWords'],
                  additionalProperties: false,
                },
              },
            },
            required: ['documents'],
            additionalProperties: false,
          },
        },
        output: {
          jsonSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: {
              ranking: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    rank: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
                    file: { type: 'string' },
                    score: { type: 'number', description: '0..100, higher is better' },
                    richness: { type: 'number', description: "Guiraud's index: unique words / sqrt(words)" },
                    readingEase: { type: 'number', description: 'Flesch reading ease' },
                    explanation: { type: 'string' },
                  },
                  required: ['rank', 'file', 'score', 'richness', 'readingEase', 'explanation'],
                  additionalProperties: false,
                },
              },
            },
            required: ['ranking'],
            additionalProperties: false,
          },
        },
        evaluator: { kind: 'code' },
        tools: [],
        components: [],
        next: { kind: 'static', agent: 'reporter' },
        settings: { richnessWeight: 0.5 },
      },
      {
        name: 'reporter',
        description: 'Writes a markdown report of the ranking',
        input: {
          jsonSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: {
              ranking: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    rank: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
                    file: { type: 'string' },
                    score: { type: 'number', description: '0..100, higher is better' },
                    richness: { type: 'number', description: "Guiraud's index: unique words / sqrt(words)" },
                    readingEase: { type: 'number', description: 'Flesch reading ease' },
                    explanation: { type: 'string' },
                  },
                  required: ['rank', 'file', 'score', 'richness', 'readingEase', 'explanation'],
                  additionalProperties: false,
                },
              },
              documents: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    file: { type: 'string', description: 'file name within the folder' },
                    words: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    sentences: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    uniqueWords: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
                    syllables: { type: 'integer', minimum: 0, maximum: 9007199254740991, description: 'estimated English syllables' },
                    avgSentenceLength: { type: 'number', minimum: 0, description: 'words per sentence' },
                    topWords: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { word: { type: 'string' }, count: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
                        required: ['word', 'count'],
                        additionalProperties: false,
                      },
                      description: 'most frequent words, stop words excluded',
                    },
                  },
                  required: ['file', 'words', 'sentences', 'uniqueWords', 'syllables', 'avgSentenceLength', 'topWords'],
                  additionalProperties: false,
                },
              },
            },
            required: ['ranking', 'documents'],
            additionalProperties: false,
          },
        },
        output: 'report: string | markdown report, bestDocument: string | file name of the top-ranked document',
        evaluator: { kind: 'code' },
        tools: [],
        components: [],
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
