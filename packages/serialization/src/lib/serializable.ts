import { findUnstorable } from '@flock-ts/engine';
import { SerializationError } from './errors';

export { isPlainObject, isTypedArray } from '@flock-ts/engine';

/**
 * Throws a `SerializationError` (`NOT_SERIALIZABLE`) naming the path of the
 * first value {@link toJson} would drop or flatten: a function, a symbol, an
 * invalid Date or an instance of a class superjson does not know (see
 * `findUnstorable` of `@flock-ts/engine`). Code (evaluators, tools, routers)
 * belongs in a registry, referenced by name.
 *
 * @param root Path prefix for messages, e.g. `'settings'`.
 * @example
 * assertSerializable({ settings: { format: () => 'x' } });
 * // throws: settings.format: a function is not serializable ...
 */
export function assertSerializable(value: unknown, root = ''): void {
  const found = findUnstorable(value, root);
  if (found) throw new SerializationError('NOT_SERIALIZABLE', found.message, found.path);
}
