import { analyzeText, countSentences, countSyllables, tokenize } from './text-stats';

describe('tokenize', () => {
  it('lower-cases words and keeps contractions whole', () => {
    expect(tokenize("Don't stop: the Cat's 3 toys!")).toEqual(["don't", 'stop', 'the', "cat's", '3', 'toys']);
  });

  it('reads letters beyond ASCII', () => {
    expect(tokenize('Über café naïve')).toEqual(['über', 'café', 'naïve']);
  });
});

describe('countSentences', () => {
  it('ends sentences at terminal punctuation', () => {
    expect(countSentences('One. Two? Three! Four...')).toBe(4);
  });

  it('does not split decimals or abbreviations without a following space', () => {
    expect(countSentences('Pi is 3.14 and e is 2.71.')).toBe(1);
  });

  it('counts a heading followed by a blank line as a sentence', () => {
    expect(countSentences('Title\n\nBody text here. More text.')).toBe(3);
  });

  it('ignores fragments without words', () => {
    expect(countSentences('... !!! Hello. ?')).toBe(1);
  });
});

describe('countSyllables', () => {
  it.each([
    ['cat', 1],
    ['table', 2],
    ['makes', 1],
    ['cooked', 1],
    ['reading', 2],
    ['readability', 5],
    ['yesterday', 3],
  ])('estimates %p as %p syllables', (word, syllables) => {
    expect(countSyllables(word)).toBe(syllables);
  });

  it('counts at least one syllable', () => {
    expect(countSyllables('rhythm')).toBeGreaterThanOrEqual(1);
    expect(countSyllables('42')).toBe(1);
  });
});

describe('analyzeText', () => {
  const text = 'The cat sat on the mat. The cat ran! A dog barked at the cat.';

  it('counts words, sentences, unique words and words per sentence', () => {
    const stats = analyzeText('pets.txt', text);
    expect(stats).toMatchObject({ file: 'pets.txt', words: 15, sentences: 3, uniqueWords: 10, avgSentenceLength: 5 });
  });

  it('sums the syllables of all words', () => {
    expect(analyzeText('x.txt', 'Reading is fun. Tables wobble.').syllables).toBe(2 + 1 + 1 + 2 + 2);
  });

  it('lists the most frequent words without stop words, ties by name', () => {
    expect(analyzeText('pets.txt', text, { topWords: 3 }).topWords).toEqual([
      { word: 'cat', count: 3 },
      { word: 'barked', count: 1 },
      { word: 'dog', count: 1 },
    ]);
  });

  it('takes custom stop words', () => {
    expect(analyzeText('pets.txt', text, { topWords: 1, stopWords: ['cat'] }).topWords).toEqual([{ word: 'the', count: 4 }]);
  });

  it('counts text without terminal punctuation as one sentence', () => {
    expect(analyzeText('x.txt', 'no punctuation here').sentences).toBe(1);
  });

  it('reports zeros for an empty text', () => {
    expect(analyzeText('empty.txt', '  \n')).toEqual({ file: 'empty.txt', words: 0, sentences: 0, uniqueWords: 0, syllables: 0, avgSentenceLength: 0, topWords: [] });
  });
});
