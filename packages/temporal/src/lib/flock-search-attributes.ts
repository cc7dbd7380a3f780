import { FLOCK_SEARCH_ATTRIBUTE_TYPES } from '@flock-ts/contracts';
import type { ResolvedConnection } from './connection';
import { ensureSearchAttributes, type SearchAttributeConnection } from './search-attributes';

const registered = new Map<string, Promise<void>>();

/**
 * Registers Flock's search attributes on the namespace when missing, once
 * per process and namespace. Clients do it before starting a run and
 * workers before polling: FlockWorkflow upserts `CurrentAgent` and
 * `FlockRunPhase`, which a namespace without them would reject.
 */
export function ensureFlockSearchAttributes(conn: SearchAttributeConnection, connection: ResolvedConnection): Promise<void> {
  const key = `${connection.address}/${connection.namespace}`;
  let pending = registered.get(key);
  if (!pending) {
    pending = ensureSearchAttributes(conn, connection.namespace, FLOCK_SEARCH_ATTRIBUTE_TYPES).then(() => undefined);
    pending.catch(() => registered.delete(key));
    registered.set(key, pending);
  }
  return pending;
}
