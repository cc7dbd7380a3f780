import type { SearchAttributeTypeName } from './dev-server';

/**
 * The search attributes Flock runs carry, registered when the tools start a
 * dev server. A copy of `FLOCK_SEARCH_ATTRIBUTE_TYPES` from
 * `@flock-ts/contracts`, because Jest loads global setup modules with plain
 * Node resolution, which would look for the contracts' unbuilt `dist/`;
 * `flock-search-attributes.spec.ts` fails when the two differ.
 *
 * @example
 * await startDevServer({ searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } });
 */
export const FLOCK_DEV_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = {
  FlockName: 'Keyword',
  StartAgent: 'Keyword',
  SessionId: 'Keyword',
  CurrentAgent: 'Keyword',
  FlockRunPhase: 'Keyword',
};
