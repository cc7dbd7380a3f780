/**
 * The part of `@flock-ts/serialization` that workflow code uses: payload
 * size guards and undecodable-payload markers, without the definition
 * and memo codecs (they pull in `@flock-ts/config`'s schemas, which the
 * Temporal sandbox would evaluate again for each workflow).
 */
export * from './lib/errors';
export * from './lib/payload-size';
export * from './lib/undecodable';
