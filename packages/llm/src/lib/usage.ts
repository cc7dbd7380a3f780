import type { TokenUsage } from '@flock-ts/core';
import type { LanguageModelUsage } from 'ai';

/**
 * Core's token usage from the AI SDK's (summed over every model call of a
 * step), with the number of model calls when given. `undefined` when the
 * provider reported no tokens and no calls were counted; tokens are 0 when
 * only the calls are known.
 *
 * @example
 * toTokenUsage(result.totalUsage, 2) // => { inputTokens: 120, outputTokens: 30, totalTokens: 150, modelCalls: 2 }
 */
export function toTokenUsage(usage: Partial<LanguageModelUsage> | undefined, modelCalls?: number): TokenUsage | undefined {
  const { inputTokens, outputTokens, totalTokens } = usage ?? {};
  const calls = modelCalls === undefined ? {} : { modelCalls };
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined) {
    return modelCalls === undefined ? undefined : { inputTokens: 0, outputTokens: 0, totalTokens: 0, ...calls };
  }
  const input = inputTokens ?? 0;
  const output = outputTokens ?? 0;
  return { inputTokens: input, outputTokens: output, totalTokens: totalTokens ?? input + output, ...calls };
}
