import { z } from 'zod';

/** How often a word occurs in a document. */
export const WordCountSchema = z.object({ word: z.string(), count: z.int().min(1) });

/** Statistics of one document, as the `reader` agent extracts them. */
export const DocumentStatsSchema = z.object({
  file: z.string().describe('file name within the folder'),
  words: z.int().min(0),
  sentences: z.int().min(0),
  uniqueWords: z.int().min(0),
  syllables: z.int().min(0).describe('estimated English syllables'),
  avgSentenceLength: z.number().min(0).describe('words per sentence'),
  topWords: z.array(WordCountSchema).describe('most frequent words, stop words excluded'),
});
export type DocumentStats = z.infer<typeof DocumentStatsSchema>;

/** One document's place in the ranking, with the figures behind its score. */
export const RankedDocumentSchema = z.object({
  rank: z.int().min(1),
  file: z.string(),
  score: z.number().describe('0..100, higher is better'),
  richness: z.number().describe("Guiraud's index: unique words / sqrt(words)"),
  readingEase: z.number().describe('Flesch reading ease'),
  explanation: z.string(),
});
export type RankedDocument = z.infer<typeof RankedDocumentSchema>;
