import { FlockError } from '@flock-ts/config';
import type { Connection } from '@temporalio/client';

/** What registration needs of a connection: a client `Connection` or a worker `NativeConnection`. */
export type SearchAttributeConnection = Pick<Connection, 'operatorService'> & {
  workflowService: Pick<Connection['workflowService'], 'countWorkflowExecutions'>;
};
import { setTimeout as delay } from 'node:timers/promises';

/** Search attribute types, as the Temporal CLI and Web UI name them. */
export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

type IndexedValueType = NonNullable<Parameters<Connection['operatorService']['addSearchAttributes']>[0]['searchAttributes']>[string];

// Values of temporal.api.enums.v1.IndexedValueType.
const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, IndexedValueType> = {
  Text: 1 as IndexedValueType,
  Keyword: 2 as IndexedValueType,
  Int: 3 as IndexedValueType,
  Double: 4 as IndexedValueType,
  Bool: 5 as IndexedValueType,
  Datetime: 6 as IndexedValueType,
  KeywordList: 7 as IndexedValueType,
};

// A query literal of each type, to prove the namespace's query parser knows the attribute.
const PROBE_LITERALS: Record<SearchAttributeTypeName, string> = {
  Text: "''",
  Keyword: "''",
  KeywordList: "''",
  Int: '0',
  Double: '0',
  Bool: 'false',
  Datetime: "'2000-01-01T00:00:00Z'",
};

const GRPC_ALREADY_EXISTS = 6;
const MAX_ADD_ATTEMPTS = 3;

/**
 * Registering search attributes failed. `code` says how:
 * `SEARCH_ATTRIBUTE_TYPE_CONFLICT` (the name exists with another type) or
 * `SEARCH_ATTRIBUTE_NOT_VISIBLE` (added, but not usable before the timeout).
 */
export class SearchAttributeRegistrationError extends FlockError<'SEARCH_ATTRIBUTE_TYPE_CONFLICT' | 'SEARCH_ATTRIBUTE_NOT_VISIBLE'> {
  static {
    FlockError.named(this, 'SearchAttributeRegistrationError');
  }
  constructor(
    code: 'SEARCH_ATTRIBUTE_TYPE_CONFLICT' | 'SEARCH_ATTRIBUTE_NOT_VISIBLE',
    message: string,
    readonly namespace: string,
    readonly attributes: string[],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Tuning of {@link ensureSearchAttributes}. */
export interface EnsureSearchAttributesOptions {
  /** How long to wait for added attributes to become usable; default 30 s (servers refresh namespace caches every ~10 s). */
  visibleWithinMs?: number;
}

/** What {@link ensureSearchAttributes} did. */
export interface EnsureSearchAttributesResult {
  /** Names this call registered (empty when all existed already). */
  added: string[];
}

/**
 * Makes sure the namespace has these custom search attributes: lists the
 * existing ones through the operator API, adds the missing ones, then waits
 * until a visibility query naming each added attribute is accepted, so
 * workflows can be started and listed with them right away.
 *
 * Idempotent, and safe when another process registers the same attributes
 * at the same time (its "already exists" counts as success once the types
 * match). Works on any server whose operator API is reachable with this
 * connection, not only a dev server started with `--search-attribute`.
 *
 * @throws SearchAttributeRegistrationError when a name exists with another
 *   type, or an added attribute is not usable within `visibleWithinMs`.
 * @example
 * const connection = await Connection.connect({ address: 'localhost:7233' });
 * await ensureSearchAttributes(connection, 'default', { FlockName: 'Keyword', SessionId: 'Keyword' });
 * // now: client.workflow.list({ query: "FlockName = 'research'" })
 */
export async function ensureSearchAttributes(
  connection: SearchAttributeConnection,
  namespace: string,
  attributes: Record<string, SearchAttributeTypeName>,
  options: EnsureSearchAttributesOptions = {},
): Promise<EnsureSearchAttributesResult> {
  const initiallyMissing = await missingAttributes(connection, namespace, attributes);
  if (initiallyMissing.length === 0) return { added: [] };

  const added: string[] = [];
  let missing = initiallyMissing;
  for (let attempt = 1; missing.length > 0; attempt++) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, INDEXED_VALUE_TYPES[attributes[name]]])),
      });
      added.push(...missing);
      break;
    } catch (error) {
      // A concurrent registration may have won the race, wholly or in part:
      // what it added counts once the types match; the rest is tried again.
      const stillMissing = await missingAttributes(connection, namespace, attributes);
      if (stillMissing.length === 0) break;
      if (!isAlreadyExists(error) || attempt >= MAX_ADD_ATTEMPTS) throw error;
      missing = stillMissing;
    }
  }
  await waitUntilQueryable(connection, namespace, attributes, initiallyMissing, options.visibleWithinMs ?? 30_000);
  return { added };
}

async function missingAttributes(connection: SearchAttributeConnection, namespace: string, wanted: Record<string, SearchAttributeTypeName>): Promise<string[]> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const existing: Record<string, IndexedValueType> = { ...listed.systemAttributes, ...listed.customAttributes };
  const conflicts = Object.entries(wanted).filter(([name, type]) => existing[name] !== undefined && existing[name] !== INDEXED_VALUE_TYPES[type]);
  if (conflicts.length > 0) {
    throw new SearchAttributeRegistrationError(
      'SEARCH_ATTRIBUTE_TYPE_CONFLICT',
      `Namespace ${namespace} already has ${conflicts.map(([name, type]) => `${name} with another type than ${type} (${typeName(existing[name])})`).join(', ')}`,
      namespace,
      conflicts.map(([name]) => name),
    );
  }
  return Object.keys(wanted).filter((name) => existing[name] === undefined);
}

/**
 * Listing shows an attribute before every frontend can use it: queries and
 * workflow starts go through a namespace cache refreshed on its own clock.
 * A count query naming the attributes is accepted exactly when they are usable.
 */
async function waitUntilQueryable(
  connection: SearchAttributeConnection,
  namespace: string,
  attributes: Record<string, SearchAttributeTypeName>,
  names: string[],
  withinMs: number,
): Promise<void> {
  const query = names.map((name) => `${name} = ${PROBE_LITERALS[attributes[name]]}`).join(' AND ');
  const deadline = Date.now() + withinMs;
  let pause = 25;
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return;
    } catch (error) {
      if (Date.now() + pause > deadline) {
        throw new SearchAttributeRegistrationError(
          'SEARCH_ATTRIBUTE_NOT_VISIBLE',
          `Search attributes ${names.join(', ')} of namespace ${namespace} were not usable in queries within ${withinMs} ms: ${(error as Error).message}`,
          namespace,
          names,
          { cause: error },
        );
      }
    }
    await delay(pause);
    pause = Math.min(pause * 2, 1_000);
  }
}

function isAlreadyExists(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === GRPC_ALREADY_EXISTS || /already exists/i.test(String((error as Error | null)?.message));
}

function typeName(value: IndexedValueType | undefined): string {
  const entry = Object.entries(INDEXED_VALUE_TYPES).find(([, v]) => v === value);
  return entry ? entry[0] : `type ${String(value)}`;
}
