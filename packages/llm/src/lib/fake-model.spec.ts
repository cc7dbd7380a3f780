import { APICallError, generateText, streamText } from 'ai';
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

  it('streams the scripted text in several deltas, with the usage of the call without streaming', async () => {
    const script = { text: 'Streams come in pieces.', usage: { inputTokens: 3, outputTokens: 5 } };
    const model = createFakeModel({ responses: [script, script] });
    const result = streamText({ model, prompt: 'p' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['Streams', ' ', 'come', ' ', 'in', ' ', 'pieces', '.']);
    const plain = await generateText({ model, prompt: 'p' });
    expect(await result.totalUsage).toEqual(plain.totalUsage);
    expect(await result.finishReason).toBe('stop');
    expect(model.calls.map((call) => call.streamed)).toEqual([true, false]);
  });

  it('streams scripted tool calls', async () => {
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'lookup', args: { q: 'x' }, id: 'c1' }] }] });
    const result = streamText({ model, prompt: 'p' });
    expect(await result.toolCalls).toEqual([expect.objectContaining({ toolCallId: 'c1', toolName: 'lookup', input: { q: 'x' } })]);
    expect(await result.finishReason).toBe('tool-calls');
  });

  it('fails a stream with the scripted error, reported to onError as the AI SDK reports stream errors', async () => {
    const rejected = new APICallError({ message: 'Incorrect API key', url: 'u', requestBodyValues: {}, statusCode: 401 });
    const model = createFakeModel({ responses: [{ error: rejected }] });
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: 'p', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    await result.consumeStream();
    expect(errors).toEqual([rejected]);
    await expect(result.totalUsage).rejects.toThrow('No output generated');
  });
});
