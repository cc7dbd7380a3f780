import type { SearchAttributeTypeName } from './dev-server';

/**
 * The search attributes Flock runs carry, registered when the tools start a
 * dev server. Mirrors `FLOCK_SEARCH_ATTRIBUTE_TYPES` of `@flock-ts/contracts`
 * (tools cannot depend on contracts without a lockfile change); a spec in
 * this folder fails when the two drift apart.
 */
export const FLOCK_DEV_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = {
  FlockName: 'Keyword',
  StartAgent: 'Keyword',
  SessionId: 'Keyword',
  CurrentAgent: 'Keyword',
  FlockRunPhase: 'Keyword',
};
