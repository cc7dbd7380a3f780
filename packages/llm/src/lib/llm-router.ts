import { FlockConfigError } from '@flock-ts/config';
import { defineRouter, type Agent, type RouteDecision, type RouteRequest, type Router, type TokenUsage } from '@flock-ts/core';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { z } from 'zod';
import { ModelOutputError } from './errors';
import { callModel, resolveCallModel } from './model-call';
import { modelOutputSchema } from './output-schema';

/** The answer a router model gives when no agent fits. */
export const NO_AGENT = 'none';

/** How to declare a model-backed router. */
export interface LlmRouterOptions {
  name: string;
  description?: string;
  /** A model id or an AI SDK model object; absent: the flock's `model`, then `FLOCK_MODEL`. */
  model?: string | LanguageModelV3;
  /** Choices less confident than this (0..1) end the run; default 0.5. */
  minConfidence?: number;
  /** The agents it may choose from (default: every agent of the flock, the finished one included). */
  agents?: string[];
  /** Added to the routing prompt. */
  instructions?: string;
  temperature?: number;
}

/** A routing decision with the tokens the choice took. */
export type LlmRouteDecision = RouteDecision & { usage?: TokenUsage };

function candidatesOf(request: RouteRequest, allowed: readonly string[] | undefined): Agent[] {
  return allowed ? request.candidates.filter((agent) => allowed.includes(agent.name)) : [...request.candidates];
}

function describeCandidate(agent: Agent): string {
  const inputs = agent.input.fields.length ? ` (takes: ${agent.input.fields.join(', ')})` : '';
  return `- ${agent.name}: ${agent.description || '(no description)'}${inputs}`;
}

function systemPrompt(router: LlmRouterOptions, finished: string, candidates: readonly Agent[]): string {
  return [
    `You route a run of a multi-agent flock. Agent "${finished}" just finished; choose the agent that should work next.`,
    ...(router.instructions ? ['', router.instructions.trim()] : []),
    '',
    'Agents you may choose:',
    ...candidates.map(describeCandidate),
    '',
    `Answer with JSON: nextAgent (one of the names above, or "${NO_AGENT}" when none fits or the work is done), ` +
      'confidence (0 to 1, how sure you are) and reason (one sentence).',
  ].join('\n');
}

function clamp(value: unknown): number {
  const number = typeof value === 'number' && Number.isFinite(value) ? value : 0;
  return Math.min(1, Math.max(0, number));
}

/**
 * A router that asks a model which agent runs next, from the agents' names
 * and descriptions and the finished agent's output. The model answers
 * `{ nextAgent, confidence, reason }`; `"none"`, or a confidence below
 * `minConfidence`, ends the run (`nextAgent: null`) with a reason saying why.
 *
 * @example
 * const triage = llmRouter({ name: 'triage', model: 'openai:gpt-4o-mini', minConfidence: 0.6 });
 * defineAgent({ name: 'intake', ..., next: triage });
 */
export function llmRouter(options: LlmRouterOptions): Router {
  const minConfidence = options.minConfidence ?? 0.5;
  if (options.model !== undefined && typeof options.model !== 'string' && typeof options.model?.doGenerate !== 'function') {
    throw new FlockConfigError(`router "${options.name}"`, [{ path: 'model', message: 'model must be a model id such as "openai:gpt-4o-mini" or an AI SDK model' }]);
  }
  const settings: Record<string, unknown> = { kind: 'model' };
  if (typeof options.model === 'string') settings['model'] = options.model;
  return defineRouter({
    name: options.name,
    description: options.description ?? 'Chooses the next agent with a model, from the agents\u2019 descriptions',
    minConfidence,
    settings,
    async route(request: RouteRequest): Promise<LlmRouteDecision> {
      const finished = request.agent.name;
      const candidates = candidatesOf(request, options.agents);
      if (!candidates.length) return { nextAgent: null, confidence: 1, reason: `router "${options.name}" has no agent to choose from` };
      const names = candidates.map((agent) => agent.name);
      const { model, site } = resolveCallModel(options.model, { agent: finished, router: options.name, flockModel: request.context.flockModel });
      const schema = z.object({
        nextAgent: z.enum([NO_AGENT, ...names]).describe('the agent to run next, or "none"'),
        confidence: z.number().min(0).max(1).describe('0..1'),
        reason: z.string().describe('one sentence'),
      });
      const result = await callModel({
        site,
        model,
        system: systemPrompt(options, finished, candidates),
        prompt: `Output of "${finished}":\n${JSON.stringify(request.output, null, 2)}`,
        output: modelOutputSchema(schema),
        outputName: 'route',
        context: request.context,
        temperature: options.temperature,
        signal: request.context.signal,
      });
      const answer = result.value as { nextAgent?: unknown; confidence?: unknown; reason?: unknown } | null;
      const usage = result.usage ? { usage: result.usage } : {};
      const reason = typeof answer?.reason === 'string' ? answer.reason : '';
      const confidence = clamp(answer?.confidence);
      const choice = answer?.nextAgent;
      if (choice === NO_AGENT) return { nextAgent: null, confidence, reason: `no agent fits: ${reason || 'the model chose none'}`, ...usage };
      if (typeof choice !== 'string' || !names.includes(choice)) {
        throw new ModelOutputError(site, `nextAgent ${JSON.stringify(choice)} is not one of ${[...names, NO_AGENT].join(', ')}`, 'nextAgent');
      }
      if (confidence < minConfidence) {
        return { nextAgent: null, confidence, reason: `confidence ${confidence} in "${choice}" is below minConfidence ${minConfidence}: ${reason}`, ...usage };
      }
      return { nextAgent: choice, confidence, reason, ...usage };
    },
  });
}
