/**
 * `@flock-ts/examples/flocks`: the example flocks as a `--flock` module
 * (`flock-worker --flock @flock-ts/examples/flocks`), without the rest of
 * the package's exports.
 */
export { flocks } from './lib/example-flocks';
