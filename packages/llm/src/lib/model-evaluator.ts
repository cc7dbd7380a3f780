import { EvaluatorSpecSchema, FlockConfigError, formatPath, type EvaluatorSpec } from '@flock-ts/config';
import type { Agent, AgentContext, EvaluationRequest, EvaluationResult, Evaluator, ModelTurn, ModelTurnRequest } from '@flock-ts/core';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { z } from 'zod';
import { callModel, callModelTurn, resolveCallModel, type ModelCallRequest } from './model-call';
import { modelOutputSchema, type ModelOutputSchema } from './output-schema';
import { renderInputs, renderSystemPrompt } from './prompt';

/** Tool calls allowed per agent step when `maxToolCalls` is not given. */
export const DEFAULT_MAX_TOOL_CALLS = 10;

/** How to evaluate an agent with a model. Everything but a model object lands in the flock definition. */
export interface ModelEvaluatorOptions {
  /**
   * A model id (`openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`,
   * `openai-compatible:llama3.2`), or an AI SDK model object (e.g.
   * {@link createFakeModel} in tests). Absent: the flock's `model`, then `FLOCK_MODEL`.
   */
  model?: string | LanguageModelV3;
  /** Added to the system prompt after the agent's description. */
  instructions?: string;
  /** 0..2. */
  temperature?: number;
  /** Tool calls allowed per step (0..100, default {@link DEFAULT_MAX_TOOL_CALLS}); once spent the model must answer. */
  maxToolCalls?: number;
}

const schemas = new WeakMap<z.ZodObject, ModelOutputSchema>();

function outputSchemaOf(schema: z.ZodObject): ModelOutputSchema {
  let cached = schemas.get(schema);
  if (!cached) schemas.set(schema, (cached = modelOutputSchema(schema)));
  return cached;
}

function specOf(options: ModelEvaluatorOptions): EvaluatorSpec {
  const { model, instructions, temperature, maxToolCalls } = options;
  const id = typeof model === 'object' && model !== null ? `${model.provider.split('.')[0]}:${model.modelId}` : model;
  const raw = { kind: 'model', model: id, instructions, temperature, maxToolCalls };
  const spec = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const parsed = EvaluatorSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new FlockConfigError(
      'model evaluator',
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}

/**
 * An evaluator that asks a model for the agent's output. The input fields
 * (with their descriptions) become the prompt, the output signature the
 * structured-output schema; the agent's tools run in a tool loop through
 * core (so a failing tool is a `ToolError` naming tool and agent). Token
 * usage comes back with the result. Provider retries are off: on Temporal
 * the activity is retried instead, and model errors say whether to retry
 * (`ModelAuthenticationError` never, `ModelRateLimitError` after `Retry-After`).
 * When the step has followers (`request.onText`), the model call streams and
 * each text delta reaches them as it is generated; the output, the usage and
 * the errors are the same as without streaming.
 *
 * @example
 * const summarizer = defineAgent({
 *   name: 'summarizer',
 *   input: 'text: string | the text to summarize',
 *   output: 'summary: string | two sentences, keywords: string[]',
 *   evaluator: modelEvaluator({ model: 'openai:gpt-4o-mini', temperature: 0.2 }),
 *   tools: [wordCount],
 * });
 */
export function modelEvaluator(options: ModelEvaluatorOptions = {}): Evaluator {
  const spec = specOf(options) as Extract<EvaluatorSpec, { kind: 'model' }>;
  const given = typeof options.model === 'object' && options.model !== null ? options.model : spec.model;
  const maxToolCalls = spec.maxToolCalls ?? DEFAULT_MAX_TOOL_CALLS;
  /** What every model call of a step shares. */
  const callOf = (agent: Agent, inputs: Record<string, unknown>, context: AgentContext, hasTools: boolean): ModelCallRequest => {
    const { model, site } = resolveCallModel(given, { agent: agent.name, flockModel: context.flockModel });
    const output = outputSchemaOf(agent.output.schema);
    return {
      site,
      model,
      system: renderSystemPrompt(agent, { flockName: context.flockName, outputSchema: output.original, instructions: spec.instructions, hasTools: hasTools && maxToolCalls > 0 }),
      prompt: renderInputs(agent, inputs),
      output,
      outputName: `${agent.name}_output`,
      context,
      temperature: spec.temperature,
    };
  };
  return {
    spec,
    async evaluate({ agent, inputs, context, tools, signal, onText, budget }: EvaluationRequest): Promise<EvaluationResult> {
      const result = await callModel({ ...callOf(agent, inputs, context, tools.length > 0), tools, maxToolCalls, signal, onText, budget });
      return result.usage ? { output: result.value, usage: result.usage } : { output: result.value };
    },
    async modelTurn({ agent, inputs, context, tools, signal, onText, conversation, toolResults, toolCalls, retried }: ModelTurnRequest): Promise<ModelTurn> {
      // the prompt is rendered on the first call only: later ones carry it in the conversation
      const call = callOf(agent, conversation ? {} : inputs, context, tools.length > 0);
      return callModelTurn({ ...call, tools, maxToolCalls, toolCalls, signal, onText, conversation, toolResults, retried });
    },
  };
}
