import type { TokenUsage } from '@flock-ts/core';
import type { LanguageModelUsage } from 'ai';

/**
 * Core's token usage from the AI SDK's (summed over every model call of a
 * step); `undefined` when the provider reported none.
 *
 * @example
 * toTokenUsage(result.totalUsage) // => { inputTokens: 120, outputTokens: 30, totalTokens: 150 }
 */
export function toTokenUsage(usage: Partial<LanguageModelUsage> | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const { inputTokens, outputTokens, totalTokens } = usage;
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined) return undefined;
  const input = inputTokens ?? 0;
  const output = outputTokens ?? 0;
  return { inputTokens: input, outputTokens: output, totalTokens: totalTokens ?? input + output };
}
