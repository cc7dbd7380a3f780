import type { DocumentStats, RankedDocument } from './schemas';

/** Options of {@link rankDocuments}. */
export interface RankOptions {
  /** Share of lexical richness in the score, 0..1 (default 0.5); reading ease gets the rest. */
  richnessWeight?: number;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * Guiraud's index of lexical richness: unique words / sqrt(words). Unlike
 * the plain type-token ratio it does not fall just because a text is longer.
 */
export function guiraudRichness(stats: Pick<DocumentStats, 'words' | 'uniqueWords'>): number {
  return stats.words ? stats.uniqueWords / Math.sqrt(stats.words) : 0;
}

/** Flesch reading ease: 206.835 - 1.015 x words/sentence - 84.6 x syllables/word (higher is easier). */
export function fleschReadingEase(stats: Pick<DocumentStats, 'words' | 'sentences' | 'syllables'>): number {
  if (!stats.words || !stats.sentences) return 0;
  return 206.835 - 1.015 * (stats.words / stats.sentences) - 84.6 * (stats.syllables / stats.words);
}

/**
 * Ranks documents by a score from 0 to 100 that weighs lexical richness
 * (Guiraud's index, 10 or more counting as full marks) against readability
 * (Flesch reading ease, clamped to 0..100). Ties go to the file name.
 *
 * @example
 * rankDocuments([statsA, statsB])[0].explanation
 * // => 'richness 6.3 (Guiraud) -> 63 of 100; reading ease 71.4 (Flesch) -> 71.4 of 100; score = 0.5 x 63 + 0.5 x 71.4 = 67.2'
 */
export function rankDocuments(documents: readonly DocumentStats[], options: RankOptions = {}): RankedDocument[] {
  const weight = clamp(options.richnessWeight ?? 0.5, 0, 1);
  const scored = documents.map((doc) => {
    const richness = guiraudRichness(doc);
    const readingEase = fleschReadingEase(doc);
    const richnessPoints = round1(clamp(richness * 10, 0, 100));
    const easePoints = round1(clamp(readingEase, 0, 100));
    const score = round1(weight * richnessPoints + (1 - weight) * easePoints);
    const explanation = doc.words
      ? `richness ${round2(richness)} (Guiraud) -> ${richnessPoints} of 100; ` +
        `reading ease ${round1(readingEase)} (Flesch) -> ${easePoints} of 100; ` +
        `score = ${round2(weight)} x ${richnessPoints} + ${round2(1 - weight)} x ${easePoints} = ${score}`
      : 'empty document: no words to score';
    return { file: doc.file, score, richness: round2(richness), readingEase: round1(readingEase), explanation };
  });
  scored.sort((a, b) => b.score - a.score || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return scored.map((doc, index) => ({ rank: index + 1, ...doc }));
}
