import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlockExecutor, StepRecord } from '@flock-ts/core';
import { exampleCorpusPath } from './corpus-path';
import { CORPUS_REPORT_START_AGENT, createCorpusReportFlock } from './corpus-report-flock';
import type { DocumentStats, RankedDocument } from './schemas';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'flock-corpus-'));
  // simple: 8 one-syllable words, 2 sentences, 6 unique ("the" and "is" twice): easy, not rich
  await writeFile(join(folder, 'simple.txt'), 'The sun is hot. The sky is blue.');
  // dense: 5 long words, 1 sentence, all unique: rich, hard to read
  await writeFile(join(folder, 'dense.txt'), 'Extraordinary circumstances necessitate considerable deliberation.');
  await writeFile(join(folder, 'notes.md'), 'Not a text file. It must be skipped.');
});

afterAll(() => rm(folder, { recursive: true, force: true }));

async function run(options = {}) {
  const steps: StepRecord[] = [];
  const result = await createCorpusReportFlock(options).run({ startAgent: CORPUS_REPORT_START_AGENT, input: { folder }, onStep: (s) => steps.push(s) });
  return { result, steps };
}

describe('createCorpusReportFlock', () => {
  it('hands off reader -> ranker -> reporter', async () => {
    const { result } = await run();
    expect(result.steps.map((step) => step.agent)).toEqual(['reader', 'ranker', 'reporter']);
    expect(result.lastAgent).toBe('reporter');
  });

  it('reads only the .txt files, in name order, with their statistics', async () => {
    const { steps } = await run();
    const documents = steps[0].output.documents as DocumentStats[];
    expect(documents.map((doc) => doc.file)).toEqual(['dense.txt', 'simple.txt']);
    expect(documents[0]).toMatchObject({ words: 5, sentences: 1, uniqueWords: 5, avgSentenceLength: 5 });
    expect(documents[1]).toMatchObject({
      words: 8,
      sentences: 2,
      uniqueWords: 6,
      syllables: 8,
      avgSentenceLength: 4,
      topWords: [
        { word: 'blue', count: 1 },
        { word: 'hot', count: 1 },
        { word: 'sky', count: 1 },
        { word: 'sun', count: 1 },
      ],
    });
  });

  it('ranks by the richness and reading ease of each document', async () => {
    const { steps } = await run();
    const ranking = steps[1].output.ranking as RankedDocument[];
    const documents = steps[0].output.documents as DocumentStats[];
    const simple = ranking.find((r) => r.file === 'simple.txt');
    const dense = ranking.find((r) => r.file === 'dense.txt');
    expect(simple?.richness).toBeCloseTo(6 / Math.sqrt(8), 2);
    expect(dense?.richness).toBeCloseTo(5 / Math.sqrt(5), 2);
    expect(simple?.readingEase).toBeCloseTo(206.835 - 1.015 * 4 - 84.6 * 1, 1);
    const denseSyllables = documents[0].syllables;
    expect(dense?.readingEase).toBeCloseTo(206.835 - 1.015 * 5 - 84.6 * (denseSyllables / 5), 1);
    // simple: 0.5 x 21.2 + 0.5 x 100 (ease clamped); dense: 0.5 x 22.4 + 0.5 x 0 (ease far below 0)
    expect(ranking.map((r) => [r.rank, r.file, r.score])).toEqual([
      [1, 'simple.txt', 60.6],
      [2, 'dense.txt', 11.2],
    ]);
  });

  it('writes a markdown report naming the best document', async () => {
    const { result, steps } = await run({ title: 'Fixture report' });
    const ranking = steps[1].output.ranking as RankedDocument[];
    expect(result.output.bestDocument).toBe(ranking[0].file);
    expect(result.output.report).toContain('# Fixture report');
    expect(result.output.report).toContain('2 documents, 13 words in all.');
  });

  it('lets the richness weight decide the winner', async () => {
    const byRichness = await run({ richnessWeight: 1 });
    expect(byRichness.result.output.bestDocument).toBe('dense.txt'); // 5/sqrt(5) = 2.24 > 6/sqrt(8) = 2.12
  });

  it('fails naming the reader when the folder has no text files', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'flock-empty-'));
    try {
      await expect(createCorpusReportFlock().run({ startAgent: 'reader', input: { folder: empty } })).rejects.toMatchObject({
        name: 'FlockRunFailedError',
        code: 'AGENT_FAILED',
        agent: 'reader',
        message: expect.stringContaining('no .txt files'),
        cause: expect.objectContaining({ name: 'AgentExecutionError', agent: 'reader' }),
      });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('fails naming the reader when the folder does not exist', async () => {
    await expect(createCorpusReportFlock().run({ startAgent: 'reader', input: { folder: join(folder, 'missing') } })).rejects.toMatchObject({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      agent: 'reader',
      causeType: 'Error',
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('passes flock options through', () => {
    // any executor of kind 'temporal' (examples do not depend on @flock-ts/temporal)
    const onTemporal: FlockExecutor = { kind: 'temporal', run: jest.fn(), start: jest.fn(), getRun: jest.fn() };
    const flock = createCorpusReportFlock({ name: 'docs', executor: onTemporal, temporalConfig: { taskQueue: 'docs' } });
    expect([flock.name, flock.enableTemporal, flock.temporalConfig.taskQueue]).toEqual(['docs', true, 'docs']);
  });

  it('has a serializable definition with static hand-offs', () => {
    const definition = createCorpusReportFlock().toDefinition();
    expect(definition.agents.map((agent) => [agent.name, agent.next])).toEqual([
      ['reader', { kind: 'static', agent: 'ranker' }],
      ['ranker', { kind: 'static', agent: 'reporter' }],
      ['reporter', undefined],
    ]);
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });
});

describe('exampleCorpusPath', () => {
  it('points at the shipped .txt files, which the flock reports on', async () => {
    const files = (await readdir(exampleCorpusPath)).filter((file) => file.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const { output } = await createCorpusReportFlock().run({ startAgent: 'reader', input: { folder: exampleCorpusPath } });
    expect(files).toContain(output.bestDocument);
  });
});
