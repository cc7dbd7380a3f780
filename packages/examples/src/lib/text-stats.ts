import type { DocumentStats } from './schemas';

/** Common English words left out of the top-word lists. */
export const DEFAULT_STOP_WORDS: readonly string[] = [
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
];

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const HAS_WORD = /[\p{L}\p{N}]/u;
// A sentence ends at terminal punctuation followed by a space or the end, or at a blank line (headings).
const SENTENCE_BREAK = /[.!?]+(?=\s|$)|\n\s*\n/u;

/** The words of a text, lower-cased; `don't` and `o'clock` stay one word. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Sentences that hold at least one word; a heading line counts as one. */
export function countSentences(text: string): number {
  return text.split(SENTENCE_BREAK).filter((part) => HAS_WORD.test(part)).length;
}

/**
 * Estimated syllables of an English word: vowel groups, minus a silent
 * final `e`/`es`/`ed`; at least one. Good enough for a readability score.
 *
 * @example
 * countSyllables('readability') // => 5
 */
export function countSyllables(word: string): number {
  const letters = word.toLowerCase().replace(/[^a-z]/g, '');
  if (letters.length <= 3) return 1;
  const trimmed = letters.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, (end) => end.charAt(0)).replace(/^y/, '');
  return Math.max(1, trimmed.match(/[aeiouy]{1,2}/g)?.length ?? 0);
}

/** Options of {@link analyzeText}. */
export interface AnalyzeOptions {
  /** Length of `topWords` (default 5). */
  topWords?: number;
  /** Words left out of `topWords` (default {@link DEFAULT_STOP_WORDS}). */
  stopWords?: readonly string[];
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * Statistics of one text.
 *
 * @example
 * analyzeText('a.txt', 'The cat sat. The cat ran!')
 * // => { file: 'a.txt', words: 6, sentences: 2, uniqueWords: 4, avgSentenceLength: 3, topWords: [{ word: 'cat', count: 2 }, ...], ... }
 */
export function analyzeText(file: string, text: string, options: AnalyzeOptions = {}): DocumentStats {
  const words = tokenize(text);
  const counts = new Map<string, number>();
  for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  const sentences = words.length ? Math.max(1, countSentences(text)) : 0;
  const stop = new Set(options.stopWords ?? DEFAULT_STOP_WORDS);
  const topWords = [...counts]
    .filter(([word]) => !stop.has(word))
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, options.topWords ?? 5)
    .map(([word, count]) => ({ word, count }));
  return {
    file,
    words: words.length,
    sentences,
    uniqueWords: counts.size,
    syllables: words.reduce((sum, word) => sum + countSyllables(word), 0),
    avgSentenceLength: sentences ? round2(words.length / sentences) : 0,
    topWords,
  };
}
