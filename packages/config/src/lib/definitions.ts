import { z } from 'zod';

import { parseSignature, signatureSchema } from './signature';
import { TemporalActivityConfigSchema, TemporalWorkflowConfigSchema } from './temporal-config';
import { parseWith } from './validate';

/** Agent, tool, router and component names: a letter, then letters, digits, `_` or `-`. */
export const NameSchema = z
  .string({ error: 'a name must be a string' })
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,127}$/, 'a name starts with a letter and holds only letters, digits, "_" or "-" (max 128)');

/**
 * An input or output signature: the string syntax (see `parseSignature`), or
 * a JSON Schema (what a zod schema given in code becomes when serialized).
 */
export const SignatureSpecSchema = z.union([
  z.string().superRefine((value, ctx) => {
    try {
      parseSignature(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
  z.strictObject({ jsonSchema: z.record(z.string(), z.unknown()) }),
]);
export type SignatureSpec = z.infer<typeof SignatureSpecSchema>;

/** Longest wait for a person: one year. */
export const MAX_WAIT_SECONDS = 366 * 24 * 3600;

function waitSeconds(field: string) {
  return z
    .number({ error: `${field} must be a number of seconds` })
    .positive(`${field} must be > 0`)
    .max(MAX_WAIT_SECONDS, `${field} must be <= ${MAX_WAIT_SECONDS} (one year)`);
}

/** How an agent is evaluated. Code is referenced by the agent's name in a registry, never serialized. */
export const EvaluatorSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('code') }),
  z.strictObject({
    kind: z.literal('model'),
    /** Model id such as `openai:gpt-4o-mini`; the flock's `model` when absent. */
    model: z.string().min(1).optional(),
    instructions: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxToolCalls: z.int().min(0).max(100).optional(),
  }),
  /**
   * A person gives the agent's output: the run waits (durably) until it
   * arrives, validated against the output signature.
   */
  z.strictObject({
    kind: z.literal('human'),
    /** What the person is asked: shown by `status`, `flockctl follow` and the Web UI. */
    prompt: z.string().optional(),
    /** How long to wait; absent: as long as it takes. */
    timeoutSeconds: waitSeconds('evaluator.timeoutSeconds').optional(),
    /** The output used when the wait times out (it must match the output signature); absent: the run fails with `RESPONSE_TIMED_OUT`. */
    fallback: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type EvaluatorSpec = z.infer<typeof EvaluatorSpecSchema>;

/**
 * Where a run goes after an agent:
 * - `static`: always the named agent (decided in the workflow, no activity);
 * - `code`: the agent's own `next` function (runs where the agent's code runs);
 * - `router`: a registered router component, by name.
 */
export const HandoffSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('static'), agent: NameSchema }),
  z.strictObject({ kind: z.literal('code') }),
  z.strictObject({ kind: z.literal('router'), router: NameSchema }),
]);
export type HandoffSpec = z.infer<typeof HandoffSpecSchema>;

/**
 * A person approves the agent's output before the run goes on. On
 * rejection the run fails (`onReject: 'fail'`, code `REJECTED`) or the agent
 * runs again with the reviewer's comment in `ctx.review` (`'redo'`).
 */
export const ApprovalSpecSchema = z.strictObject({
  /** What the reviewer is asked. */
  prompt: z.string().optional(),
  /** How long to wait; absent: as long as it takes. */
  timeoutSeconds: waitSeconds('approval.timeoutSeconds').optional(),
  /** What a timed-out wait decides (default `reject`). */
  onTimeout: z.enum(['approve', 'reject']).default('reject'),
  /** What a rejection does (default `fail`). */
  onReject: z.enum(['fail', 'redo']).default('fail'),
});
export type ApprovalSpec = z.output<typeof ApprovalSpecSchema>;

/**
 * Limits on what model calls may spend (seed: none; Flock's own). A run
 * that crosses one fails with `BudgetExceededError` (code
 * `BUDGET_EXCEEDED`), naming the agent and the figures; with
 * `onExceeded: 'pause'` it pauses for a person instead, who resumes it
 * with higher limits.
 */
export const BudgetSpecSchema = z
  .strictObject({
    /** Tokens (input plus output, as providers report them). */
    maxTokens: z.int('budget.maxTokens must be an integer').min(1, 'budget.maxTokens must be >= 1').optional(),
    /** Model calls (each call of a tool loop counts; a router's choice counts). */
    maxModelCalls: z.int('budget.maxModelCalls must be an integer').min(1, 'budget.maxModelCalls must be >= 1').optional(),
    /**
     * What crossing a limit does (default `fail`): `fail` fails the run;
     * `pause` pauses it after the step that crossed it (before a model
     * agent's step with nothing left) until a person resumes it with a
     * higher limit.
     */
    onExceeded: z.enum(['fail', 'pause'], "budget.onExceeded must be 'fail' or 'pause'").optional(),
  })
  .refine((budget) => budget.maxTokens !== undefined || budget.maxModelCalls !== undefined, 'a budget sets maxTokens, maxModelCalls or both');
export type BudgetSpec = z.output<typeof BudgetSpecSchema>;

/** Most recent steps an agent may ask to see (`context.history`). */
export const MAX_CONTEXT_HISTORY = 100;

/**
 * What an agent step sees of its run besides its own inputs: a step carries
 * this much, whatever the run's length.
 */
export const AgentContextSpecSchema = z.strictObject({
  /** How many of the latest finished steps `ctx.history` and `ctx.lastOutput()` see (default 0). */
  history: z.int().min(0, 'context.history must be >= 0').max(MAX_CONTEXT_HISTORY, `context.history must be <= ${MAX_CONTEXT_HISTORY}`).default(0),
  /** Whether the step carries the run's initial input for `ctx.input` (default false: declare what a step reads). */
  input: z.boolean().default(false),
});
export type AgentContextSpec = z.output<typeof AgentContextSpecSchema>;

/** The serializable declaration of one agent. */
export const AgentDefinitionSchema = z
  .strictObject({
    name: NameSchema,
    description: z.string().default(''),
    input: SignatureSpecSchema,
    output: SignatureSpecSchema,
    evaluator: EvaluatorSpecSchema.default({ kind: 'code' }),
    /** Registered tool names the agent may call. */
    tools: z.array(NameSchema).default([]),
    /** Registered component names whose hooks run around the evaluation. */
    components: z.array(NameSchema).default([]),
    next: HandoffSpecSchema.optional(),
    temporalActivityConfig: TemporalActivityConfigSchema.optional(),
    /** What the agent's steps see of the run besides their inputs (absent: nothing). */
    context: AgentContextSpecSchema.optional(),
    /** A person approves each output of the agent before the run goes on. */
    approval: ApprovalSpecSchema.optional(),
    /** What this agent's model calls may spend over the whole run (all its steps). */
    budget: BudgetSpecSchema.optional(),
    /** Free-form settings handed to the evaluator and components. */
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((agent, ctx) => {
    if (agent.temporalActivityConfig?.durability === 'call' && agent.evaluator.kind !== 'model') {
      ctx.addIssue({
        code: 'custom',
        path: ['temporalActivityConfig', 'durability'],
        message: `durability 'call' records each model call and tool call of a model agent; a ${agent.evaluator.kind} agent has none (drop it, or use a model evaluator)`,
      });
    }
    if (agent.evaluator.kind !== 'human' || agent.evaluator.fallback === undefined) return;
    const checked = signatureSchema(agent.output).safeParse(agent.evaluator.fallback);
    if (checked.success) return;
    for (const issue of checked.error.issues) {
      ctx.addIssue({ code: 'custom', path: ['evaluator', 'fallback', ...issue.path.map(String)], message: `the fallback must match the output signature: ${issue.message}` });
    }
  });
export type AgentDefinition = z.output<typeof AgentDefinitionSchema>;
export type AgentDefinitionInput = z.input<typeof AgentDefinitionSchema>;

/** Default cap on agent steps in one run: cyclic hand-offs end with an error. */
export const DEFAULT_MAX_ITERATIONS = 20;

/** Highest `maxIterations`: runs continue as new before Temporal's history limits, so long runs are fine. */
export const MAX_ITERATIONS_LIMIT = 100_000_000;

/** The serializable declaration of a Flock: what the memo and workflow input carry. */
export const FlockDefinitionSchema = z
  .strictObject({
    name: NameSchema,
    description: z.string().default(''),
    /** Default model id of model-evaluated agents (env `FLOCK_MODEL` otherwise). */
    model: z.string().min(1).optional(),
    agents: z.array(AgentDefinitionSchema).default([]),
    /** Cap on agent steps per run. */
    maxIterations: z.int().min(1, 'maxIterations must be >= 1').max(MAX_ITERATIONS_LIMIT).default(DEFAULT_MAX_ITERATIONS),
    enableTemporal: z.boolean().default(false),
    temporalConfig: TemporalWorkflowConfigSchema.default({}),
    /** What the run's model calls may spend, all agents together. */
    budget: BudgetSpecSchema.optional(),
    /** Start a worker inside the calling process (local development). */
    temporalStartInProcessWorker: z.boolean().default(false),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((flock, ctx) => {
    const names = new Set<string>();
    flock.agents.forEach((agent, index) => {
      if (names.has(agent.name)) {
        ctx.addIssue({ code: 'custom', path: ['agents', index, 'name'], message: `duplicate agent name "${agent.name}"` });
      }
      names.add(agent.name);
    });
    flock.agents.forEach((agent, index) => {
      if (agent.next?.kind === 'static' && !names.has(agent.next.agent)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', index, 'next', 'agent'],
          message: `hand-off to unknown agent "${agent.next.agent}" (known: ${[...names].join(', ') || 'none'})`,
        });
      }
    });
  });
export type FlockDefinition = z.output<typeof FlockDefinitionSchema>;
export type FlockDefinitionInput = z.input<typeof FlockDefinitionSchema>;

/**
 * Validates a flock definition; throws a `FlockConfigError` naming each
 * offending path (`agents[1].temporalActivityConfig.retryMaxAttempts`) and rule.
 */
export function parseFlockDefinition(value: unknown): FlockDefinition {
  return parseWith(FlockDefinitionSchema, value, 'flock definition');
}
