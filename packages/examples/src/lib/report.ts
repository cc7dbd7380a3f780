import type { DocumentStats, RankedDocument } from './schemas';

function cell(value: string): string {
  return value.replace(/\|/g, '\\|');
}

/**
 * Renders the markdown report of a ranked corpus.
 *
 * @example
 * renderReport(rankDocuments(stats), stats) // => '# Corpus report\n\n4 documents, 433 words ...'
 */
export function renderReport(ranking: readonly RankedDocument[], documents: readonly DocumentStats[], title = 'Corpus report'): string {
  const byFile = new Map(documents.map((doc) => [doc.file, doc]));
  const totalWords = documents.reduce((sum, doc) => sum + doc.words, 0);
  const lines = [`# ${title}`, ''];
  lines.push(`${documents.length} document${documents.length === 1 ? '' : 's'}, ${totalWords} words in all.`, '');
  if (!ranking.length) return [...lines, 'No documents to rank.', ''].join('\n');

  lines.push(
    '| Rank | Document | Score | Richness (Guiraud) | Reading ease (Flesch) | Words | Sentences | Unique words | Words per sentence |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const entry of ranking) {
    const doc = byFile.get(entry.file);
    lines.push(
      `| ${entry.rank} | ${cell(entry.file)} | ${entry.score} | ${entry.richness} | ${entry.readingEase} | ` +
        `${doc?.words ?? '-'} | ${doc?.sentences ?? '-'} | ${doc?.uniqueWords ?? '-'} | ${doc?.avgSentenceLength ?? '-'} |`,
    );
  }
  const best = ranking[0];
  lines.push('', `**Best document:** ${best.file} (score ${best.score}).`, '', '## Why', '');
  for (const entry of ranking) {
    const top = byFile.get(entry.file)?.topWords ?? [];
    lines.push(`### ${entry.rank}. ${entry.file}`, '', `- ${entry.explanation}`);
    lines.push(`- top words: ${top.length ? top.map((w) => `${w.word} (${w.count})`).join(', ') : 'none'}`, '');
  }
  return lines.join('\n');
}
