import type { Flock } from '@flock-ts/core';
import { createCollatzFlock } from './collatz-flock';
import { createCorpusReportFlock } from './corpus-report-flock';

/**
 * The example flocks as a module exports them for `flock-worker --flock`
 * (and `flockctl run --flock`): `corpus-report` and `collatz` with their
 * default options and no executor (the worker runs them on Temporal).
 * Created once, when the module is first imported (a few milliseconds,
 * nothing read or started); create your own with the factories to change
 * an option.
 *
 * @example
 * // flock-worker --flock @flock-ts/examples        (or --flock @flock-ts/examples/flocks)
 * import { flocks } from '@flock-ts/examples/flocks';
 * flocks.map((flock) => flock.name); // ['corpus-report', 'collatz']
 */
export const flocks: readonly Flock[] = Object.freeze([createCorpusReportFlock(), createCollatzFlock()]);
