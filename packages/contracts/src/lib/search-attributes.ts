import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every Flock run carries (registered on the namespace when missing). */
export const FLOCK_SEARCH_ATTRIBUTES = {
  FlockName: defineSearchAttributeKey('FlockName', SearchAttributeType.KEYWORD),
  StartAgent: defineSearchAttributeKey('StartAgent', SearchAttributeType.KEYWORD),
  SessionId: defineSearchAttributeKey('SessionId', SearchAttributeType.KEYWORD),
  CurrentAgent: defineSearchAttributeKey('CurrentAgent', SearchAttributeType.KEYWORD),
  FlockRunPhase: defineSearchAttributeKey('FlockRunPhase', SearchAttributeType.KEYWORD),
} as const;

/** Name -> type, the form the operator API registers. */
export const FLOCK_SEARCH_ATTRIBUTE_TYPES: Record<keyof typeof FLOCK_SEARCH_ATTRIBUTES, 'Keyword'> = {
  FlockName: 'Keyword',
  StartAgent: 'Keyword',
  SessionId: 'Keyword',
  CurrentAgent: 'Keyword',
  FlockRunPhase: 'Keyword',
};
