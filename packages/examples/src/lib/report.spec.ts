import { rankDocuments } from './ranking';
import { renderReport } from './report';
import { analyzeText } from './text-stats';

describe('renderReport', () => {
  const documents = [
    analyzeText('short.txt', 'Go now. Run fast.'),
    analyzeText('long.txt', 'A considerably elaborate, unnecessarily complicated sentence continues indefinitely.'),
  ];
  const ranking = rankDocuments(documents);
  const report = renderReport(ranking, documents, 'Test report');

  it('starts with the title and the corpus size', () => {
    expect(report.startsWith('# Test report\n\n2 documents, 12 words in all.')).toBe(true);
  });

  it('has one table row per document in rank order', () => {
    const rows = report.split('\n').filter((line) => /^\| \d+ \|/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`| 1 | ${ranking[0].file} | ${ranking[0].score} |`);
    expect(rows[1]).toContain(`| 2 | ${ranking[1].file} |`);
  });

  it('names the best document and explains every score', () => {
    expect(report).toContain(`**Best document:** ${ranking[0].file}`);
    for (const entry of ranking) expect(report).toContain(entry.explanation);
  });

  it('says so when there is nothing to rank', () => {
    expect(renderReport([], [])).toContain('No documents to rank.');
  });
});
