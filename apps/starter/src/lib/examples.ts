import { CORPUS_REPORT_START_AGENT, COLLATZ_START_AGENT, createCollatzFlock, createCorpusReportFlock, exampleCorpusPath } from '@flock-ts/examples';
import type { ExampleFlock } from './commands';

/**
 * The flocks `flockctl run` starts when no `--flock` is given (the ones
 * `flock-worker --flock @flock-ts/examples` hosts), each with a ready-made input. The corpus
 * path is this machine's: a worker elsewhere needs `--input` with its own.
 */
export function exampleFlocks(): ExampleFlock[] {
  return [
    { flock: createCorpusReportFlock(), startAgent: CORPUS_REPORT_START_AGENT, input: { folder: exampleCorpusPath } },
    { flock: createCollatzFlock(), startAgent: COLLATZ_START_AGENT, input: { n: 27 } },
  ];
}
