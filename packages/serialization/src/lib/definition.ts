import { parseFlockDefinition, type FlockDefinition, type FlockDefinitionInput } from '@flock-ts/config';

import { assertSerializable } from './serializable';
import { stripSecrets } from './strip-secrets';
import { fromJson, toJson } from './superjson';

/**
 * The definition as it may be stored: free of code (a function anywhere is a
 * `SerializationError` naming its path), free of secrets (see `stripSecrets`:
 * secret keys dropped, secret-looking strings redacted), validated, defaults applied.
 *
 * @example
 * const safe = toStorableDefinition({ name: 'demo', temporalConfig: { apiKey: 'k' } });
 * safe.temporalConfig.apiKey; // undefined
 */
export function toStorableDefinition(def: FlockDefinition | FlockDefinitionInput): FlockDefinition {
  assertSerializable(def);
  return parseFlockDefinition(stripSecrets(def));
}

/**
 * Serializes a Flock definition to JSON text (a superjson envelope), keeping
 * Dates, Maps, Sets, BigInts and the like inside `settings` and `metadata`.
 * Secrets are always stripped; code is never serialized: evaluators, tools and
 * routers are referenced by name, and a function value fails with a
 * `SerializationError` (`NOT_SERIALIZABLE`) naming its path.
 *
 * @example
 * const text = serializeFlockDefinition(flock.toDefinition());
 * const same = deserializeFlockDefinition(text);
 */
export function serializeFlockDefinition(def: FlockDefinition | FlockDefinitionInput): string {
  return toJson(toStorableDefinition(def));
}

/**
 * Reads a definition written by {@link serializeFlockDefinition} (plain JSON
 * definitions are accepted too) and validates it: a corrupted snapshot throws
 * a `FlockConfigError` naming each offending path; text that is not JSON
 * throws a `SerializationError` (`INVALID_JSON`).
 *
 * @example
 * deserializeFlockDefinition('{"json":{"name":"demo"}}').maxIterations; // 20 (the default)
 */
export function deserializeFlockDefinition(text: string): FlockDefinition {
  return parseFlockDefinition(fromJson(text));
}
