import { sumUsage } from './usage';

describe('sumUsage', () => {
  it('adds the known usages', () => {
    expect(sumUsage([{ inputTokens: 1, outputTokens: 2, totalTokens: 3 }, undefined, { inputTokens: 10, outputTokens: 20, totalTokens: 30 }])).toEqual({
      inputTokens: 11,
      outputTokens: 22,
      totalTokens: 33,
    });
  });

  it('is undefined when no usage is known', () => {
    expect(sumUsage([undefined, undefined])).toBeUndefined();
  });
});
