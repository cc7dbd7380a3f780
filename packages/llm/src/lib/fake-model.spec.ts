import { generateText } from 'ai';
import { createFakeModel } from './fake-model';

describe('createFakeModel (AI SDK test model)', () => {
  it('answers from the script in order and records each call', async () => {
    const model = createFakeModel({ responses: [{ text: 'first' }, (call) => ({ text: `echo: ${call.prompt}` })] });
    const one = await generateText({ model, system: 'be nice', prompt: 'hello' });
    const two = await generateText({ model, prompt: 'again', temperature: 0.5 });
    expect([one.text, two.text]).toEqual(['first', 'echo: again']);
    expect(model.calls.map((call) => [call.system, call.prompt, call.temperature])).toEqual([
      ['be nice', 'hello', undefined],
      ['', 'again', 0.5],
    ]);
  });

  it('reports scripted usage, or an estimate of four characters per token', async () => {
    const model = createFakeModel({ responses: [{ text: 'ok', usage: { inputTokens: 3, outputTokens: 1 } }, { text: 'x'.repeat(40) }] });
    expect((await generateText({ model, prompt: 'p' })).usage).toMatchObject({ inputTokens: 3, outputTokens: 1, totalTokens: 4 });
    expect((await generateText({ model, prompt: 'p' })).usage.outputTokens).toBeGreaterThan(10);
  });

  it('throws a scripted error, and says so when the script runs out', async () => {
    const model = createFakeModel({ responses: [{ error: new Error('provider down') }], provider: 'acme' });
    await expect(generateText({ model, prompt: 'p', maxRetries: 0 })).rejects.toThrow('provider down');
    await expect(generateText({ model, prompt: 'p', maxRetries: 0 })).rejects.toThrow('fake model "acme": no scripted response for call 2 (1 scripted)');
  });
});
