import {
  BudgetExceededError,
  sumUsage,
  type AgentContext,
  type ModelTurn,
  type PlannedToolCall,
  type StepBudget,
  type TokenUsage,
  type Tool as CoreTool,
  type ToolCallResult,
} from '@flock-ts/core';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import {
  Output,
  generateText,
  jsonSchema,
  stepCountIs,
  streamText,
  tool,
  type LanguageModelUsage,
  type OutputInterface,
  type ModelMessage,
  type StepResult as SdkStep,
  type ToolSet,
} from 'ai';
import { toModelError } from './classify-error';
import { ModelConfigurationError, ModelOutputError, type ModelCallSite } from './errors';
import { outputFeedback, readModelOutput } from './model-output';
import { type ModelOutputSchema } from './output-schema';
import { parseModelId, pickModelId, resolveModel } from './resolve-model';
import { toStepTools, toolInputSchema } from './tool-set';
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
  /** What the step may still spend: the call stops at the model call that crosses it, with `BudgetExceededError`. */
  budget?: StepBudget;
}

/** The output the model produced (validated against the output schema) and the tokens spent. */
export interface ModelCallResult {
  value: Record<string, unknown>;
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

/**
 * The structured-output request (a JSON schema as the response format) whose
 * answer the SDK hands back as text: {@link readModelOutput} reads it, so
 * JSON in code fences is accepted and a bad answer is shown, not lost.
 */
function textOfJsonOutput(output: ModelOutputSchema, name: string): OutputInterface<string, undefined> {
  const requested = Output.object({ schema: jsonSchema(output.jsonSchema as Parameters<typeof jsonSchema>[0]), name });
  return {
    name: 'object',
    responseFormat: requested.responseFormat,
    parseCompleteOutput: async ({ text }) => text,
    parsePartialOutput: async () => undefined,
    createElementStreamTransform: () => undefined,
  };
}

/** The SDK options every call of a step shares. */
function baseOptions(request: ModelCallRequest, abortSignal: AbortSignal) {
  const { site, context } = request;
  return {
    model: request.model,
    system: request.system,
    output: textOfJsonOutput(request.output, request.outputName),
    temperature: request.temperature,
    maxRetries: 0,
    abortSignal,
    providerOptions: strictness(request.output.strict),
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

type CallOptions = ReturnType<typeof baseOptions> & {
  messages: ModelMessage[];
  tools?: ToolSet;
  toolChoice?: 'none' | 'auto';
  stopWhen?: ReturnType<typeof stepCountIs>;
  prepareStep?: () => { toolChoice: 'none' } | undefined;
  onStepFinish?: (step: SdkStep<ToolSet>) => void;
};

/** What a call yields, streamed or not: its model calls (steps), their summed usage, and the messages they added. */
interface Completion {
  steps: ReadonlyArray<SdkStep<ToolSet>>;
  totalUsage: LanguageModelUsage;
  messages: ModelMessage[];
}

/**
 * `streamText` with `generateText`'s outcome: each text delta goes to
 * `onText` as it arrives (a throwing `onText` is ignored); the first stream
 * error (the SDK reports them as error parts, not rejections) is thrown, as
 * is the abort.
 */
async function streamCompletion(options: CallOptions, onText: (delta: string) => void): Promise<Completion> {
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
  const [steps, totalUsage, response] = await Promise.all([result.steps, result.totalUsage, result.response]);
  return { steps, totalUsage, messages: response.messages };
}

async function complete(options: CallOptions, onText: ((delta: string) => void) | undefined): Promise<Completion> {
  if (onText) return streamCompletion(options, onText);
  const generated = await generateText(options);
  return { steps: generated.steps, totalUsage: generated.totalUsage, messages: generated.response.messages };
}

/** Model calls and tokens of a step so far, against what it may spend: the first crossing, when one happened. */
class BudgetMeter {
  private calls = 0;
  private tokens = 0;
  crossing: BudgetExceededError | undefined;
  constructor(
    private readonly agent: string,
    private readonly budget: StepBudget | undefined,
  ) {}

  /** Counts a finished model call; true when the step just crossed its budget. */
  add(usage: Partial<LanguageModelUsage> | undefined): boolean {
    this.calls += 1;
    this.tokens += usage?.totalTokens ?? (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
    if (this.crossing || !this.budget) return this.crossing !== undefined;
    const { maxTokens, maxModelCalls } = this.budget;
    if (maxModelCalls !== undefined && this.calls > maxModelCalls) {
      this.crossing = new BudgetExceededError({ agent: this.agent, limit: 'maxModelCalls', scope: 'step', used: this.calls, max: maxModelCalls });
    } else if (maxTokens !== undefined && this.tokens > maxTokens) {
      this.crossing = new BudgetExceededError({ agent: this.agent, limit: 'maxTokens', scope: 'step', used: this.tokens, max: maxTokens });
    }
    return this.crossing !== undefined;
  }
}

/** Runs one completion, turning what the SDK throws into this package's errors (a tool's failure and a budget crossing first). */
async function run(request: ModelCallRequest, options: CallOptions, failures: { tool?: () => unknown; budget?: BudgetMeter }): Promise<Completion> {
  try {
    return await complete(options, request.onText);
  } catch (error) {
    const toolFailure = failures.tool?.();
    if (toolFailure !== undefined) throw toolFailure;
    if (failures.budget?.crossing) throw failures.budget.crossing;
    if (request.signal?.aborted) throw request.signal.reason;
    throw toModelError(error, request.site);
  }
}

function lastOf(completion: Completion): SdkStep<ToolSet> | undefined {
  return completion.steps[completion.steps.length - 1];
}

/** The step produced an answer (not only tool calls): what `generateText` reads its output from. */
function answered(step: SdkStep<ToolSet> | undefined): step is SdkStep<ToolSet> {
  return step !== undefined && (step.finishReason === 'stop' || (step.finishReason !== 'tool-calls' && step.text.length > 0));
}

/** The error of a second unusable answer: final, since the model was told once what was wrong. */
function unusable(site: ModelCallSite, problem: string, field: string, excerpt: string): ModelOutputError {
  return new ModelOutputError(site, `${problem} (also after being told what was wrong); the model answered: ${excerpt}`, field, true);
}

/**
 * One structured-output model call, with a tool loop when tools are given.
 * Provider retries are off (`maxRetries: 0`): inside a Temporal activity,
 * Temporal retries the whole step, so attempts never multiply. At most
 * `maxToolCalls` tool calls; once spent, the model must answer.
 *
 * The answer is read leniently ({@link readModelOutput}: JSON in code
 * fences, prose around it) and validated against the output schema. An
 * unusable answer is sent back once with what is wrong; a second one fails
 * with a non-retryable `ModelOutputError` showing a redacted excerpt.
 * Failures become this package's named model errors; a `ToolError` fails
 * the call as is; crossing `budget` fails it with `BudgetExceededError`.
 * With `onText` the call streams and forwards the text as it comes.
 */
export async function callModel(request: ModelCallRequest): Promise<ModelCallResult> {
  const { site, context } = request;
  const maxToolCalls = request.maxToolCalls ?? 0;
  const controller = new AbortController();
  const abortSignal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
  const stepTools = request.tools?.length && maxToolCalls > 0 ? toStepTools(request.tools, context, { maxCalls: maxToolCalls, abort: () => controller.abort() }) : undefined;
  const budget = new BudgetMeter(site.agent, request.budget);
  const failures = { tool: stepTools?.failure, budget };
  const onStepFinish = (step: SdkStep<ToolSet>) => {
    context.heartbeat({ agent: site.agent, modelStepDone: true });
    if (budget.add(step.usage)) controller.abort();
  };
  const messages: ModelMessage[] = [{ role: 'user', content: request.prompt }];
  const base = baseOptions(request, abortSignal);
  const loop: CallOptions = {
    ...base,
    messages,
    onStepFinish,
    ...(stepTools
      ? {
          tools: stepTools.tools,
          // one step per tool call at most, plus the answer
          stopWhen: stepCountIs(maxToolCalls + 1),
          prepareStep: () => (stepTools.calls() >= maxToolCalls ? { toolChoice: 'none' as const } : undefined),
        }
      : {}),
  };
  const completions = [await run(request, loop, failures)];
  let reading = readAnswer(lastOf(completions[0]), request.output);
  if (!reading.ok) {
    // once: the model is told what is wrong, with no more tool calls
    const retry: CallOptions = {
      ...base,
      messages: [...messages, ...completions[0].messages, { role: 'user', content: outputFeedback(reading.problem) }],
      onStepFinish,
      ...(stepTools ? { tools: stepTools.tools, toolChoice: 'none' as const } : {}),
    };
    completions.push(await run(request, retry, failures));
    reading = readAnswer(lastOf(completions[1]), request.output);
    if (!reading.ok) throw unusable(site, reading.problem, reading.field, reading.excerpt);
  }
  const usage = sumUsage(completions.map((completion) => toTokenUsage(completion.totalUsage, completion.steps.length)));
  return { value: reading.output, usage, toolCalls: stepTools?.calls() ?? 0 };
}

function readAnswer(
  step: SdkStep<ToolSet> | undefined,
  output: ModelOutputSchema,
): ReturnType<typeof readModelOutput> | { ok: false; problem: string; field: string; excerpt: string } {
  if (!answered(step)) return { ok: false, problem: 'the model gave no answer after its tool calls', field: '', excerpt: '(no text)' };
  return readModelOutput(step.text, output.schema, output.original);
}

/** What {@link callModelTurn} needs: a model call request, and where the step's conversation is. */
export interface ModelTurnCallRequest extends ModelCallRequest {
  tools: readonly CoreTool[];
  /** Tool calls the step may make in all. */
  maxToolCalls: number;
  /** Tool calls made so far. */
  toolCalls: number;
  /** The conversation so far (after the system prompt); absent on the first call. */
  conversation?: unknown[];
  toolResults?: ToolCallResult[];
  /** The previous answer was unusable and the model was told so: another one fails, not retryable. */
  retried?: boolean;
}

/** The agent's tools as the model sees them, without `execute`: the caller runs the calls, each as its own activity. */
function offeredTools(tools: readonly CoreTool[]): ToolSet {
  const set: ToolSet = {};
  for (const coreTool of tools) set[coreTool.name] = tool({ description: coreTool.description || undefined, inputSchema: toolInputSchema(coreTool) });
  return set;
}

/** The tool message that gives the model the results of its calls. */
function toolMessage(results: readonly ToolCallResult[]): ModelMessage {
  return {
    role: 'tool',
    content: results.map((result) => ({
      type: 'tool-result' as const,
      toolCallId: result.id,
      toolName: result.name,
      output: 'refused' in result ? { type: 'error-text' as const, value: result.refused } : { type: 'json' as const, value: (result.output ?? null) as never },
    })),
  };
}

/**
 * One model call of a step recorded call by call (`durability: 'call'`):
 * the conversation so far plus the results of the previous call's tool
 * calls go to the model, whose tools are offered but not run. Returns the
 * tool calls it asked for (those past `maxToolCalls` refused), the
 * validated output, or, once, a `retry` whose conversation tells the model
 * why its answer could not be used. The conversation is plain JSON.
 */
export async function callModelTurn(request: ModelTurnCallRequest): Promise<ModelTurn> {
  const { site } = request;
  const controller = new AbortController();
  const abortSignal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
  const messages = [...((request.conversation as ModelMessage[] | undefined) ?? [{ role: 'user', content: request.prompt }])];
  if (request.toolResults?.length) messages.push(toolMessage(request.toolResults));
  const left = request.maxToolCalls - request.toolCalls;
  const offered = request.tools.length && request.maxToolCalls > 0 ? offeredTools(request.tools) : undefined;
  const options: CallOptions = {
    ...baseOptions(request, abortSignal),
    messages,
    onStepFinish: () => request.context.heartbeat({ agent: site.agent, modelStepDone: true }),
    ...(offered ? { tools: offered, toolChoice: left > 0 ? ('auto' as const) : ('none' as const), stopWhen: stepCountIs(1) } : {}),
  };
  const completion = await run(request, options, {});
  const usage = toTokenUsage(completion.totalUsage, completion.steps.length);
  const withUsage = usage ? { usage } : {};
  const conversation = [...messages, ...completion.messages];
  const step = lastOf(completion);
  if (step?.toolCalls.length) {
    const calls = step.toolCalls.map((call, index): PlannedToolCall => {
      const planned: PlannedToolCall = { id: call.toolCallId, name: call.toolName, args: call.input };
      if (index >= left) planned.refused = `the budget of ${request.maxToolCalls} tool calls is spent: answer with what you have`;
      return planned;
    });
    return { kind: 'tool-calls', conversation, calls, ...withUsage };
  }
  const reading = readAnswer(step, request.output);
  if (reading.ok) return { kind: 'output', output: reading.output, ...withUsage };
  if (request.retried) throw unusable(site, reading.problem, reading.field, reading.excerpt);
  return {
    kind: 'retry',
    conversation: [...conversation, { role: 'user', content: outputFeedback(reading.problem) }],
    problem: `${reading.problem}; the model answered: ${reading.excerpt}`,
    ...withUsage,
  };
}
