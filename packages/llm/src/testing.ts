/**
 * Test aids: a scripted AI SDK model and a local OpenAI-compatible HTTP
 * server, for tests of model-backed agents without a provider.
 *
 * @example
 * const model = createFakeModel({ responses: [{ output: { summary: 'ok' } }] });
 * const standIn = await startOpenAICompatibleStandIn({ replies: [{ output: { summary: 'ok' } }] });
 */
export * from './lib/fake-model';
export * from './lib/openai-stand-in';
