import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { ModelConfigurationError } from './errors';
import { registerProviderKeys } from './provider-keys';

/** Provider prefixes a model id may start with. */
export const MODEL_PROVIDERS = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** A model id split into its provider prefix and the provider's own model name. */
export interface ModelId {
  provider: ModelProvider;
  /** The provider's model name, e.g. `gpt-4o-mini`, `claude-sonnet-4-5`, `llama3.2`. */
  name: string;
}

/** Where {@link resolveModel} finds what a provider needs. API keys only ever come from here, never from a definition. */
export interface ResolveModelOptions {
  /** Base URL of the API; for `openai-compatible:` it defaults to `FLOCK_OPENAI_BASE_URL`, then `OPENAI_BASE_URL`. */
  baseUrl?: string;
  /** API key; defaults to the provider's variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`; `FLOCK_OPENAI_API_KEY` first for `openai-compatible:`). */
  apiKey?: string;
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Splits `provider:name` (the first `:` separates them, so names may hold
 * `:` and `/`). Throws `ModelConfigurationError` for an unknown provider.
 *
 * @example
 * parseModelId('openai-compatible:qwen2.5:7b') // => { provider: 'openai-compatible', name: 'qwen2.5:7b' }
 */
export function parseModelId(id: string): ModelId {
  const colon = typeof id === 'string' ? id.indexOf(':') : -1;
  const provider = colon > 0 ? id.slice(0, colon) : '';
  const name = colon > 0 ? id.slice(colon + 1).trim() : '';
  if (!(MODEL_PROVIDERS as readonly string[]).includes(provider) || !name) {
    throw new ModelConfigurationError(
      `model id "${String(id)}" is not "<provider>:<model>" with a known provider (${MODEL_PROVIDERS.join(', ')}), ` +
        `e.g. "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5" or "openai-compatible:llama3.2" with FLOCK_OPENAI_BASE_URL set`,
    );
  }
  return { provider: provider as ModelProvider, name };
}

function firstSet(...values: Array<string | undefined>): string | undefined {
  return values.find((value) => typeof value === 'string' && value.trim() !== '');
}

/**
 * Makes the AI SDK language model of a model id: `openai:<model>` (OpenAI's
 * Responses API), `anthropic:<model>`, or `openai-compatible:<model>` for any
 * server speaking OpenAI's Chat Completions API (Ollama, vLLM, llama.cpp
 * server, LM Studio...) at a base URL. Keys and URLs come from the options
 * or the environment, never from the flock definition. The keys are
 * registered as secret values (`@flock-ts/secrets`), so redaction cuts them
 * out of any text even when they have no known key shape.
 *
 * @example
 * // FLOCK_OPENAI_BASE_URL=http://localhost:11434/v1
 * const model = resolveModel('openai-compatible:llama3.2');
 * const gpt = resolveModel('openai:gpt-4o-mini', { apiKey: process.env.MY_KEY });
 */
export function resolveModel(id: string, options: ResolveModelOptions = {}): LanguageModelV3 {
  const { provider, name } = parseModelId(id);
  const env = options.env ?? process.env;
  // whatever key a provider echoes back is then cut out of errors, logs and failure stacks
  registerProviderKeys(env, options.apiKey);
  switch (provider) {
    case 'openai':
      return createOpenAI({
        apiKey: firstSet(options.apiKey, env['OPENAI_API_KEY']),
        baseURL: firstSet(options.baseUrl, env['OPENAI_BASE_URL']),
      })(name);
    case 'anthropic':
      return createAnthropic({
        apiKey: firstSet(options.apiKey, env['ANTHROPIC_API_KEY']),
        baseURL: firstSet(options.baseUrl, env['ANTHROPIC_BASE_URL']),
      })(name);
    case 'openai-compatible': {
      const baseURL = firstSet(options.baseUrl, env['FLOCK_OPENAI_BASE_URL'], env['OPENAI_BASE_URL']);
      if (!baseURL) {
        throw new ModelConfigurationError(`model "${id}" needs the server's base URL: set FLOCK_OPENAI_BASE_URL (e.g. http://localhost:11434/v1 for Ollama)`);
      }
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL,
        apiKey: firstSet(options.apiKey, env['FLOCK_OPENAI_API_KEY'], env['OPENAI_API_KEY']),
        // vLLM, llama.cpp and recent Ollama honour json_schema response formats
        supportsStructuredOutputs: true,
        includeUsage: true,
      }).chatModel(name);
    }
  }
}

/**
 * The model id an agent (or router) uses: its own, else the flock's `model`,
 * else `FLOCK_MODEL`. Throws `ModelConfigurationError` naming the agent (and
 * router) when none is set.
 *
 * @example
 * pickModelId({ agent: 'writer', flockModel: 'openai:gpt-4o-mini' }) // => 'openai:gpt-4o-mini'
 */
export function pickModelId(choice: {
  agent: string;
  /** The router choosing after `agent`, when the model routes. */
  router?: string;
  own?: string;
  flockModel?: string;
  env?: Record<string, string | undefined>;
}): string {
  const env = choice.env ?? process.env;
  const id = firstSet(choice.own, choice.flockModel, env['FLOCK_MODEL']);
  if (!id) {
    throw new ModelConfigurationError(
      'no model configured: give the evaluator a model, the flock a `model`, or set FLOCK_MODEL (e.g. FLOCK_MODEL=openai:gpt-4o-mini)',
      choice.router === undefined ? `Agent "${choice.agent}"` : `Router "${choice.router}" after agent "${choice.agent}"`,
    );
  }
  return id;
}
