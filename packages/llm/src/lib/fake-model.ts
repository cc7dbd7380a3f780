import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
} from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { textChunks } from './text-chunks';

/** Tokens a scripted response reports. */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

/** A tool call the fake model asks for. */
export interface FakeToolCall {
  name: string;
  args?: Record<string, unknown>;
  id?: string;
}

/**
 * One scripted answer: a structured `output` (sent as JSON text), plain
 * `text`, `toolCalls`, an `error` to throw (e.g. an AI SDK `APICallError`),
 * or a function of the call that returns one of those.
 */
export type FakeResponse =
  | { output: unknown; usage?: FakeUsage }
  | { text: string; usage?: FakeUsage }
  | { toolCalls: FakeToolCall[]; usage?: FakeUsage }
  | { error: unknown }
  | ((call: FakeModelCall, index: number) => FakeResponse | Promise<FakeResponse>);

/** What the model was asked, in a form tests can assert on. */
export interface FakeModelCall {
  /** The system messages, joined. */
  system: string;
  /** The text of the user messages, joined. */
  prompt: string;
  /** Names of the tools offered. */
  tools: string[];
  /** `auto`, `none`, `required` or `tool` (absent when no tools were offered). */
  toolChoice?: string;
  /** Results of earlier tool calls the model receives in this call. */
  toolResults: Array<{ toolName: string; output: unknown }>;
  /** The JSON Schema of the requested structured output. */
  responseSchema?: unknown;
  temperature?: number;
  /** The call streamed (`doStream`: `streamText`, a model evaluator with followers) rather than `doGenerate`. */
  streamed: boolean;
  /** The raw call options, for anything else. */
  options: LanguageModelV3CallOptions;
}

/** A scripted AI SDK model that records its calls. */
export type FakeModel = LanguageModelV3 & {
  /** Every call so far, oldest first. */
  readonly calls: FakeModelCall[];
};

/** Options of {@link createFakeModel}. */
export interface FakeModelOptions {
  /** Answers in order; a call past the end fails with a clear error. */
  responses: FakeResponse[];
  /** Provider name (default `fake`), which errors and the flock definition show. */
  provider?: string;
  modelId?: string;
  /** Milliseconds between two parts of a streamed answer (default 0). */
  chunkDelayMs?: number;
}

function textOf(prompt: LanguageModelV3Prompt, role: 'system' | 'user'): string {
  const texts: string[] = [];
  for (const message of prompt) {
    if (message.role !== role) continue;
    if (message.role === 'system') texts.push(message.content);
    else if (message.role === 'user') for (const part of message.content) if (part.type === 'text') texts.push(part.text);
  }
  return texts.join('\n\n');
}

function toolResultsOf(prompt: LanguageModelV3Prompt): FakeModelCall['toolResults'] {
  const results: FakeModelCall['toolResults'] = [];
  for (const message of prompt) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue;
      const output = part.output as { type: string; value?: unknown };
      results.push({ toolName: part.toolName, output: 'value' in output ? output.value : output });
    }
  }
  return results;
}

function record(options: LanguageModelV3CallOptions, streamed: boolean): FakeModelCall {
  const format = options.responseFormat;
  const call: FakeModelCall = {
    system: textOf(options.prompt, 'system'),
    prompt: textOf(options.prompt, 'user'),
    tools: (options.tools ?? []).map((tool) => tool.name),
    toolResults: toolResultsOf(options.prompt),
    streamed,
    options,
  };
  if (options.toolChoice) call.toolChoice = options.toolChoice.type;
  if (format?.type === 'json' && format.schema) call.responseSchema = format.schema;
  if (options.temperature !== undefined) call.temperature = options.temperature;
  return call;
}

// Roughly four characters per token: deterministic usage when a script gives none.
const estimate = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function usageOf(usage: FakeUsage | undefined, call: FakeModelCall, answer: string): LanguageModelV3GenerateResult['usage'] {
  const input = usage?.inputTokens ?? estimate(call.system + call.prompt + JSON.stringify(call.toolResults));
  const output = usage?.outputTokens ?? estimate(answer);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

async function answer(response: FakeResponse, call: FakeModelCall, index: number): Promise<LanguageModelV3GenerateResult> {
  if (typeof response === 'function') return answer(await response(call, index), call, index);
  if ('error' in response) throw response.error;
  let content: LanguageModelV3Content[];
  let unified: 'stop' | 'tool-calls';
  if ('toolCalls' in response) {
    content = response.toolCalls.map((toolCall, n) => ({
      type: 'tool-call' as const,
      toolCallId: toolCall.id ?? `call-${index + 1}-${n + 1}`,
      toolName: toolCall.name,
      input: JSON.stringify(toolCall.args ?? {}),
    }));
    unified = 'tool-calls';
  } else {
    const text = 'text' in response ? response.text : JSON.stringify(response.output);
    content = [{ type: 'text', text }];
    unified = 'stop';
  }
  return {
    content,
    finishReason: { unified, raw: undefined },
    usage: usageOf(response.usage, call, JSON.stringify(content)),
    warnings: [],
  };
}

/** A scripted answer as stream parts: its text in token-like deltas, its tool calls, then the finish with the usage. */
function streamPartsOf(result: LanguageModelV3GenerateResult): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  result.content.forEach((part, n) => {
    if (part.type === 'text') {
      const id = `text-${n + 1}`;
      parts.push({ type: 'text-start', id }, ...textChunks(part.text).map((delta) => ({ type: 'text-delta' as const, id, delta })), { type: 'text-end', id });
    } else if (part.type === 'tool-call') {
      parts.push(part);
    }
  });
  parts.push({ type: 'finish', finishReason: result.finishReason, usage: result.usage });
  return parts;
}

/**
 * A language model for tests: answers from a script, in order, and records
 * every call (system prompt, user prompt, tools offered, tool results,
 * output schema). Built on the AI SDK's `MockLanguageModelV3`; use it as the
 * `model` of {@link modelEvaluator} or {@link llmRouter}. It streams too
 * (`streamText`, a model evaluator with followers): the same script, the
 * text in token-like deltas, `chunkDelayMs` apart; a scripted `error` is
 * thrown before the stream starts, as a failed request would be.
 *
 * @example
 * const model = createFakeModel({
 *   responses: [
 *     { toolCalls: [{ name: 'wordCount', args: { text: 'a b c' } }] },
 *     { output: { summary: 'Three words.', words: 3 }, usage: { inputTokens: 40, outputTokens: 8 } },
 *   ],
 * });
 * const agent = defineAgent({ ..., evaluator: modelEvaluator({ model }), tools: [wordCount] });
 * // after a run: model.calls[1].toolResults => [{ toolName: 'wordCount', output: 3 }]
 */
export function createFakeModel(options: FakeModelOptions): FakeModel {
  const calls: FakeModelCall[] = [];
  const responses = [...options.responses];
  const provider = options.provider ?? 'fake';
  const respond = async (callOptions: LanguageModelV3CallOptions, streamed: boolean): Promise<LanguageModelV3GenerateResult> => {
    const call = record(callOptions, streamed);
    calls.push(call);
    const index = calls.length - 1;
    const response = responses[index];
    if (response === undefined) {
      throw new Error(`fake model "${provider}": no scripted response for call ${index + 1} (${responses.length} scripted)`);
    }
    return answer(response, call, index);
  };
  const model = new MockLanguageModelV3({
    provider,
    modelId: options.modelId ?? 'scripted',
    doGenerate: (callOptions) => respond(callOptions, false),
    doStream: async (callOptions) => ({
      stream: simulateReadableStream({ chunks: streamPartsOf(await respond(callOptions, true)), chunkDelayInMs: options.chunkDelayMs ?? null }),
    }),
  });
  return Object.assign(model, { calls });
}
