import { fleschReadingEase, guiraudRichness, rankDocuments } from './ranking';
import type { DocumentStats } from './schemas';

function stats(file: string, words: number, uniqueWords: number, sentences: number, syllables: number): DocumentStats {
  return { file, words, uniqueWords, sentences, syllables, avgSentenceLength: words / sentences, topWords: [] };
}

describe('guiraudRichness', () => {
  it('divides unique words by the square root of the word count', () => {
    expect(guiraudRichness({ words: 100, uniqueWords: 60 })).toBe(6);
    expect(guiraudRichness({ words: 0, uniqueWords: 0 })).toBe(0);
  });
});

describe('fleschReadingEase', () => {
  it('applies the Flesch formula', () => {
    // 206.835 - 1.015 x 10 - 84.6 x 1.5
    expect(fleschReadingEase({ words: 100, sentences: 10, syllables: 150 })).toBeCloseTo(69.785, 3);
  });
});

describe('rankDocuments', () => {
  const rich = stats('rich.txt', 100, 80, 10, 150); // richness 8, ease 69.785
  const plain = stats('plain.txt', 100, 30, 20, 110); // richness 3, ease 108.6 -> 100
  const dense = stats('dense.txt', 100, 70, 2, 180); // richness 7, ease 4.1

  it('orders by score, best first, and numbers the ranks', () => {
    const ranking = rankDocuments([plain, dense, rich]);
    expect(ranking.map((r) => [r.rank, r.file])).toEqual([
      [1, 'rich.txt'],
      [2, 'plain.txt'],
      [3, 'dense.txt'],
    ]);
  });

  it('weighs richness and reading ease into a score out of 100', () => {
    const [first] = rankDocuments([rich]);
    expect(first.richness).toBe(8);
    expect(first.readingEase).toBe(69.8);
    expect(first.score).toBe(74.9); // 0.5 x 80 + 0.5 x 69.8
  });

  it('explains each score with its figures', () => {
    const [first] = rankDocuments([rich]);
    expect(first.explanation).toBe('richness 8 (Guiraud) -> 80 of 100; reading ease 69.8 (Flesch) -> 69.8 of 100; score = 0.5 x 80 + 0.5 x 69.8 = 74.9');
  });

  it('lets the richness weight change the order', () => {
    expect(rankDocuments([plain, dense], { richnessWeight: 1 })[0].file).toBe('dense.txt');
    expect(rankDocuments([plain, dense], { richnessWeight: 0 })[0].file).toBe('plain.txt');
  });

  it('breaks ties by file name', () => {
    expect(rankDocuments([stats('b.txt', 10, 5, 1, 10), stats('a.txt', 10, 5, 1, 10)]).map((r) => r.file)).toEqual(['a.txt', 'b.txt']);
  });

  it('scores an empty document zero', () => {
    const [empty] = rankDocuments([{ file: 'e.txt', words: 0, uniqueWords: 0, sentences: 0, syllables: 0, avgSentenceLength: 0, topWords: [] }]);
    expect(empty.score).toBe(0);
    expect(empty.explanation).toContain('empty document');
  });
});
