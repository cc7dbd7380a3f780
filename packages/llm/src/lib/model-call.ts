import type { AgentContext, TokenUsage, Tool as CoreTool } from '@flock-ts/core';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { NoOutputGeneratedError, Output, generateText, jsonSchema, stepCountIs, streamText, type LanguageModelUsage } from 'ai';
import { toModelError } from './classify-error';
import { ModelConfigurationError, type ModelCallSite } from './errors';
import { restoreOptional, type ModelOutputSchema } from './output-schema';
import { parseModelId, pickModelId, resolveModel } from './resolve-model';
import { toStepTools, type StepTools } from './tool-set';
import { toTokenUsage } from './usage';

/** What {@link callModel} needs for one structured model call with an optional tool loop. */
export interface ModelCallRequest {
  site: ModelCallSite;
  model: LanguageModelV3;
  system: string;
  prompt: string;
  output: ModelOutputSchema;
  /** Name of the structured output (some providers show it to the model). */
  outputName: string;
  context: AgentContext;
  tools?: readonly CoreTool[];
  maxToolCalls?: number;
  temperature?: number;
  signal?: AbortSignal;
  /**
   * Receives the model's text as it is generated (the JSON of the output,
   * and any text the model writes before its tool calls). Given, the call
   * streams (`streamText`); the result and the errors are the same as without.
   */
  onText?: (delta: string) => void;
}

/** The JSON the model produced (nulls of optional fields removed, not yet validated) and the tokens spent. */
export interface ModelCallResult {
  value: unknown;
  usage: TokenUsage | undefined;
  toolCalls: number;
}

/** A model given as an id or as an AI SDK model object, and the call site it yields. */
export interface ResolvedModel {
  model: LanguageModelV3;
  site: ModelCallSite;
}

/**
 * Resolves the model of an agent or router: an AI SDK model object as given,
 * or an id (own, else the flock's `model`, else `FLOCK_MODEL`) through
 * {@link resolveModel}. Configuration errors name the agent (and router).
 */
export function resolveCallModel(model: string | LanguageModelV3 | undefined, who: { agent: string; router?: string; flockModel?: string }): ResolvedModel {
  const base = who.router === undefined ? { agent: who.agent } : { agent: who.agent, router: who.router };
  if (typeof model === 'object') {
    return { model, site: { ...base, provider: model.provider.split('.')[0], model: model.modelId } };
  }
  const subject = who.router === undefined ? `Agent "${who.agent}"` : `Router "${who.router}" after agent "${who.agent}"`;
  try {
    const id = pickModelId({ ...base, own: model, flockModel: who.flockModel });
    const { provider, name } = parseModelId(id);
    return { model: resolveModel(id), site: { ...base, provider, model: name } };
  } catch (error) {
    if (error instanceof ModelConfigurationError && error.subject === undefined) throw new ModelConfigurationError(error.message, subject);
    throw error;
  }
}

// Both OpenAI providers read `strictJsonSchema`; other providers ignore these keys.
function strictness(strict: boolean) {
  return { openai: { strictJsonSchema: strict }, openaiCompatible: { strictJsonSchema: strict } };
}

/** The options both AI SDK calls take: one place, so streaming changes nothing but the transport. */
function callOptions(request: ModelCallRequest, stepTools: StepTools | undefined, abortSignal: AbortSignal) {
  const { site, context } = request;
  const maxToolCalls = request.maxToolCalls ?? 0;
  return {
    model: request.model,
    system: request.system,
    prompt: request.prompt,
    output: Output.object({ schema: jsonSchema(request.output.jsonSchema as Parameters<typeof jsonSchema>[0]), name: request.outputName }),
    ...(stepTools
      ? {
          tools: stepTools.tools,
          // one step per tool call at most, plus the answer
          stopWhen: stepCountIs(maxToolCalls + 1),
          prepareStep: () => (stepTools.calls() >= maxToolCalls ? { toolChoice: 'none' as const } : undefined),
        }
      : {}),
    temperature: request.temperature,
    maxRetries: 0,
    abortSignal,
    providerOptions: strictness(request.output.strict),
    onStepFinish: () => context.heartbeat({ agent: site.agent, modelStepDone: true }),
    // model calls and their tool calls as spans under the step's span (no-ops without an OTel SDK);
    // prompts and answers are user data and stay out of them
    experimental_telemetry: {
      isEnabled: true,
      recordInputs: false,
      recordOutputs: false,
      functionId: `flock.${site.agent}`,
      metadata: { 'flock.agent': site.agent, 'flock.name': context.flockName },
    },
  };
}

/** What either call yields: the tokens of every step, and the output as `generateText` exposes it (a getter that may throw). */
interface Completion {
  totalUsage: LanguageModelUsage;
  /** Model calls made (one per step of the tool loop). */
  modelCalls: number;
  output(): unknown;
}

/**
 * `streamText` with `generateText`'s outcome: each text delta goes to
 * `onText` as it arrives (a throwing `onText` is ignored); the first stream
 * error (the SDK reports them as error parts, not rejections) is thrown, as
 * is the abort; the output is parsed only after a final answer, else reading
 * it throws `NoOutputGeneratedError`, exactly as `generateText` decides.
 */
async function streamCompletion(options: ReturnType<typeof callOptions>, onText: (delta: string) => void): Promise<Completion> {
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
  };
  const result = streamText({
    ...options,
    // a transform sees the deltas as the model sends them: past it, the SDK holds back
    // structured-output text until it parses (prose before the JSON would arrive only at the end)
    experimental_transform: () =>
      new TransformStream({
        transform(part, controller) {
          if (part.type === 'text-delta' && part.text) {
            try {
              onText(part.text);
            } catch {
              // a follower that fails must not fail the step
            }
          }
          controller.enqueue(part);
        },
      }),
    onError: ({ error }) => fail(error),
  });
  await result.consumeStream({ onError: fail });
  if (failure) throw failure.error;
  options.abortSignal.throwIfAborted();
  const [steps, totalUsage] = await Promise.all([result.steps, result.totalUsage]);
  const last = steps[steps.length - 1];
  if (last && (last.finishReason === 'stop' || (last.finishReason !== 'tool-calls' && last.text.length > 0))) {
    const value = await result.output;
    return { totalUsage, modelCalls: steps.length, output: () => value };
  }
  return {
    totalUsage,
    modelCalls: steps.length,
    output: () => {
      throw new NoOutputGeneratedError();
    },
  };
}

/**
 * One structured-output model call, with a tool loop when tools are given.
 * Provider retries are off (`maxRetries: 0`): inside a Temporal activity,
 * Temporal retries the whole step, so attempts never multiply. At most
 * `maxToolCalls` tool calls; once spent, the model must answer. Failures
 * become this package's named model errors; a `ToolError` fails the call as is.
 * With `onText` the call streams and forwards the text as it comes; the
 * result and the errors do not change.
 */
export async function callModel(request: ModelCallRequest): Promise<ModelCallResult> {
  const { site, context } = request;
  const maxToolCalls = request.maxToolCalls ?? 0;
  const controller = new AbortController();
  const abortSignal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
  const stepTools = request.tools?.length && maxToolCalls > 0 ? toStepTools(request.tools, context, { maxCalls: maxToolCalls, abort: () => controller.abort() }) : undefined;
  const options = callOptions(request, stepTools, abortSignal);
  let result: Completion;
  try {
    if (request.onText) {
      result = await streamCompletion(options, request.onText);
    } else {
      const generated = await generateText(options);
      result = { totalUsage: generated.totalUsage, modelCalls: generated.steps.length, output: () => generated.output };
    }
  } catch (error) {
    const toolFailure = stepTools?.failure();
    if (toolFailure !== undefined) throw toolFailure;
    if (request.signal?.aborted) throw request.signal.reason;
    throw toModelError(error, site);
  }
  const toolFailure = stepTools?.failure();
  if (toolFailure !== undefined) throw toolFailure;
  let value: unknown;
  try {
    value = result.output();
  } catch (error) {
    throw toModelError(error, site);
  }
  return { value: restoreOptional(value, request.output.original), usage: toTokenUsage(result.totalUsage, result.modelCalls), toolCalls: stepTools?.calls() ?? 0 };
}
