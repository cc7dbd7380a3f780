import type { TokenUsage } from './run-types';

/**
 * Sums token usages; `undefined` when none of them is known.
 *
 * @example
 * sumUsage([{ inputTokens: 1, outputTokens: 2, totalTokens: 3 }, undefined]) // => { inputTokens: 1, outputTokens: 2, totalTokens: 3 }
 */
export function sumUsage(usages: Iterable<TokenUsage | undefined>): TokenUsage | undefined {
  let total: TokenUsage | undefined;
  for (const usage of usages) {
    if (!usage) continue;
    total ??= { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    total.totalTokens += usage.totalTokens;
    if (usage.modelCalls !== undefined) total.modelCalls = (total.modelCalls ?? 0) + usage.modelCalls;
  }
  return total;
}
