import {
  AgentContextSpecSchema,
  ApprovalSpecSchema,
  BudgetSpecSchema,
  EvaluatorSpecSchema,
  FlockConfigError,
  NameSchema,
  TemporalActivityConfigSchema,
  formatPath,
  type AgentContextSpec,
  type AgentDefinition,
  type ApprovalSpec,
  type BudgetSpec,
  type ConfigIssue,
  type HandoffSpec,
  type SignatureSpec,
  type TemporalActivityConfig,
} from '@flock-ts/config';
import type { Component } from './component';
import type { AgentContext } from './context';
import { codeEvaluator, humanEvaluator, type EvaluateFunction, type Evaluator, type HumanInputOptions } from './evaluator';

/** How a person approves an agent's outputs (the `approval` option). */
export interface ApprovalOptions {
  /** What the reviewer is asked. */
  prompt?: string;
  /** How long to wait; absent: as long as it takes. */
  timeoutSeconds?: number;
  /** What a timed-out wait decides (default `reject`: the run fails with `REJECTED`). */
  onTimeout?: 'approve' | 'reject';
  /** What a rejection does: fail the run (default) or run the agent again with the comment in `ctx.review`. */
  onReject?: 'fail' | 'redo';
}
import { isRouter, type Router } from './router';
import { compileSignature, signatureSpec, type CompiledSignature, type InferSignature, type InferSignatureInput, type SignatureInput } from './signature';
import { isTool, type Tool } from './tool';

const AGENT = Symbol.for('@flock-ts/core/agent');

/** Picks the next agent in code: a name, or `null`/`undefined` to end the run. `output` is the agent's output. */
export type NextFunction<Out = Record<string, unknown>> = (ctx: AgentContext, output: Out) => string | null | undefined | Promise<string | null | undefined>;

/**
 * Where a run goes after an agent: an agent name (static hand-off), a
 * {@link NextFunction}, a {@link Router}, or `{ router: name }` of a router
 * registered on the flock.
 */
export type NextSpec<Out = Record<string, unknown>> = string | NextFunction<Out> | Router | { router: string };

/** The normalized form of {@link NextSpec}. */
export type Handoff = { kind: 'static'; agent: string } | { kind: 'code'; next: NextFunction } | { kind: 'router'; router: Router | string };

/**
 * How to declare an agent. `I` and `O` are its signatures, `N` its name,
 * `X` its `next`: {@link defineAgent} infers them all, so `evaluate`,
 * `human.fallback` and a `next` function see typed values.
 */
export interface AgentOptions<
  I extends SignatureInput = SignatureInput,
  O extends SignatureInput = SignatureInput,
  N extends string = string,
  X extends NextSpec<InferSignature<O>> | undefined = NextSpec<InferSignature<O>> | undefined,
> {
  name: N;
  description?: string;
  /** Input fields: signature string (`'text: string, limit?: integer'`) or zod object. */
  input: I;
  /** Output fields: signature string or zod object. */
  output: O;
  /** A plain TypeScript evaluator (kind `code`). Give this or `evaluator`. */
  evaluate?(inputs: InferSignature<I>, ctx: AgentContext): InferSignatureInput<O> | Promise<InferSignatureInput<O>>;
  /** A pluggable evaluator (for example a model evaluator). Give this or `evaluate`. */
  evaluator?: Evaluator;
  /**
   * A person gives this agent's output (instead of `evaluate`/`evaluator`):
   * the run waits durably for `run.respond({ output })` (or `flockctl
   * respond`), which must match the output signature.
   */
  human?: HumanInputOptions & { fallback?: InferSignatureInput<O> };
  /**
   * A person approves each output before the run goes on (`run.respond({
   * approved, comment })`, `flockctl respond --approve/--reject`). `true`
   * for the defaults: wait as long as it takes, a rejection fails the run.
   */
  approval?: boolean | ApprovalOptions;
  /** Tools by registered name, or inline (inline tools get registered on the flock). */
  tools?: Array<string | Tool>;
  /** Where the run goes next; a function receives this agent's typed output. */
  next?: X;
  components?: Component[];
  temporalActivityConfig?: TemporalActivityConfig;
  /**
   * What a step of this agent sees of its run besides its inputs:
   * `history`: the latest steps in `ctx.history` / `ctx.lastOutput()`
   * (default 0), `input`: the run's initial input in `ctx.input` (default
   * false). A step carries just this, so its size never grows with the run;
   * reading what was not declared throws `ContextNotDeclaredError`.
   */
  context?: { history?: number; input?: boolean };
  /**
   * What this agent's model calls may spend, summed over all its steps in
   * the run (`maxTokens`: input plus output tokens; `maxModelCalls`: each
   * call of a tool loop counts). Routing decisions count against the
   * flock's `budget`, not the agent's. A step that crosses a limit fails
   * the run with `FlockRunFailedError` code `BUDGET_EXCEEDED`, naming the
   * agent and the figures; a step due once nothing is left fails it before
   * it starts. Each step's model evaluator gets what is left, and stops at
   * the model call that crosses it.
   *
   * @example
   * defineAgent({ name: 'writer', ..., evaluator: modelEvaluator(), budget: { maxTokens: 20_000, maxModelCalls: 8 } })
   */
  budget?: BudgetSpec;
  /** Free-form JSON-able settings for the evaluator and components. */
  settings?: Record<string, unknown>;
}

/**
 * A validated agent, made by {@link defineAgent}. Its type keeps what a
 * flock needs to type its runs: the agent's `Name`, the input a run gives
 * it (`In`), its output (`Out`), and whether it can end a run (`Ends`:
 * `false` when a static `next` always hands off). `Agent` alone is any agent.
 */
export interface Agent<Name extends string = string, In = Record<string, unknown>, Out = Record<string, unknown>, Ends extends boolean = boolean> {
  readonly [AGENT]: true;
  readonly name: Name;
  readonly description: string;
  readonly input: CompiledSignature;
  readonly output: CompiledSignature;
  readonly evaluator: Evaluator;
  /** As declared: names and inline tools. */
  readonly tools: ReadonlyArray<string | Tool>;
  readonly toolNames: readonly string[];
  /** The inline tools, which the flock registers. */
  readonly inlineTools: readonly Tool[];
  readonly handoff: Handoff | undefined;
  readonly components: readonly Component[];
  readonly temporalActivityConfig: TemporalActivityConfig | undefined;
  readonly context: AgentContextSpec | undefined;
  /** Set when a person approves each output. */
  readonly approval: ApprovalSpec | undefined;
  /** What the agent's model calls may spend over a run, when limited. */
  readonly budget: BudgetSpec | undefined;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The serializable declaration (no code). */
  toDefinition(): AgentDefinition;
  /** Types only, never set: what `Agent<Name, In, Out, Ends>` says (read them with `AgentInput`, `AgentOutput`). */
  readonly '~types'?: { readonly input: In; readonly output: Out; readonly ends: Ends };
}

/** The input a run gives an agent (its input signature's input type). */
export type AgentInput<A extends Agent> = NonNullable<A['~types']>['input'];

/** The output of an agent (its output signature's output type). */
export type AgentOutput<A extends Agent> = NonNullable<A['~types']>['output'];

/** True for a value made by {@link defineAgent}. */
export function isAgent(value: unknown): value is Agent {
  return typeof value === 'object' && value !== null && (value as { [AGENT]?: unknown })[AGENT] === true;
}

const KNOWN_OPTIONS = new Set([
  'name',
  'description',
  'input',
  'output',
  'evaluate',
  'evaluator',
  'human',
  'approval',
  'tools',
  'next',
  'components',
  'temporalActivityConfig',
  'context',
  'budget',
  'settings',
]);
const HOOKS = ['onInitialize', 'onPreEvaluate', 'onPostEvaluate', 'onTerminate', 'onError'] as const;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameIssue(value: unknown, path: string): ConfigIssue | undefined {
  const result = NameSchema.safeParse(value);
  return result.success ? undefined : { path, message: result.error.issues[0].message };
}

function checkEvaluator(options: AgentOptions, issues: ConfigIssue[]): void {
  const { evaluate, evaluator, human } = options;
  if (human !== undefined) {
    if (evaluate !== undefined || evaluator !== undefined)
      issues.push({ path: 'human', message: 'a human agent takes its output from a person: give human, or evaluate/evaluator, not both' });
    else if (!isPlainRecord(human)) issues.push({ path: 'human', message: 'human is an object: { prompt?, timeoutSeconds?, fallback? }' });
    else {
      const spec = EvaluatorSpecSchema.safeParse({ kind: 'human', ...human });
      if (!spec.success) for (const issue of spec.error.issues) issues.push({ path: formatPath(['human', ...issue.path]), message: issue.message });
    }
    return;
  }
  if (evaluate !== undefined && evaluator !== undefined) {
    issues.push({ path: 'evaluator', message: 'give either evaluate or evaluator, not both' });
  } else if (evaluate === undefined && evaluator === undefined) {
    issues.push({ path: 'evaluate', message: 'an agent needs evaluate (a function) or evaluator (an Evaluator object)' });
  } else if (evaluate !== undefined && typeof evaluate !== 'function') {
    issues.push({ path: 'evaluate', message: 'evaluate must be a function (inputs, ctx) => output' });
  } else if (evaluator !== undefined) {
    if (!isPlainRecord(evaluator) || typeof evaluator.evaluate !== 'function') {
      issues.push({ path: 'evaluator', message: 'evaluator must be an object with spec and evaluate(request)' });
    } else {
      const spec = EvaluatorSpecSchema.safeParse(evaluator.spec);
      if (!spec.success) {
        for (const issue of spec.error.issues) issues.push({ path: formatPath(['evaluator', 'spec', ...issue.path]), message: issue.message });
      }
    }
  }
}

function checkTools(tools: unknown, issues: ConfigIssue[]): void {
  if (tools === undefined) return;
  if (!Array.isArray(tools)) {
    issues.push({ path: 'tools', message: 'tools must be an array of tool names or tools' });
    return;
  }
  const seen = new Set<string>();
  tools.forEach((tool, index) => {
    const path = `tools[${index}]`;
    const name = isTool(tool) ? tool.name : tool;
    if (!isTool(tool) && typeof tool !== 'string') {
      issues.push({ path, message: 'a tool is a registered tool name or a tool made by defineTool()' });
      return;
    }
    const issue = nameIssue(name, path);
    if (issue) issues.push(issue);
    else if (seen.has(name)) issues.push({ path, message: `duplicate tool "${name}"` });
    seen.add(name);
  });
}

function checkNext(next: unknown, issues: ConfigIssue[]): void {
  if (next === undefined || typeof next === 'function' || isRouter(next)) return;
  if (typeof next === 'string') {
    const issue = nameIssue(next, 'next');
    if (issue) issues.push(issue);
    return;
  }
  if (isPlainRecord(next) && typeof next.router === 'string') {
    const issue = nameIssue(next.router, 'next.router');
    if (issue) issues.push(issue);
    return;
  }
  issues.push({
    path: 'next',
    message: 'next is an agent name, a function (ctx, output) => name | null, a router (defineRouter) or { router: name }',
  });
}

function checkComponents(components: unknown, issues: ConfigIssue[]): void {
  if (components === undefined) return;
  if (!Array.isArray(components)) {
    issues.push({ path: 'components', message: 'components must be an array' });
    return;
  }
  const seen = new Set<string>();
  components.forEach((component: unknown, index) => {
    const path = `components[${index}]`;
    if (!isPlainRecord(component)) {
      issues.push({ path, message: 'a component is an object with a name and hooks' });
      return;
    }
    const issue = nameIssue(component.name, `${path}.name`);
    if (issue) issues.push(issue);
    else if (seen.has(component.name as string)) issues.push({ path: `${path}.name`, message: `duplicate component "${String(component.name)}"` });
    seen.add(component.name as string);
    for (const hook of HOOKS) {
      if (component[hook] !== undefined && typeof component[hook] !== 'function') {
        issues.push({ path: `${path}.${hook}`, message: `${hook} must be a function` });
      }
    }
  });
}

function normalizeNext(next: NextSpec | undefined): Handoff | undefined {
  if (next === undefined) return undefined;
  if (typeof next === 'string') return { kind: 'static', agent: next };
  if (typeof next === 'function') return { kind: 'code', next };
  if (isRouter(next)) return { kind: 'router', router: next };
  return { kind: 'router', router: next.router };
}

function handoffSpec(handoff: Handoff | undefined): HandoffSpec | undefined {
  if (!handoff) return undefined;
  if (handoff.kind === 'static') return { kind: 'static', agent: handoff.agent };
  if (handoff.kind === 'code') return { kind: 'code' };
  return { kind: 'router', router: typeof handoff.router === 'string' ? handoff.router : handoff.router.name };
}

/**
 * Declares an agent. Validates eagerly: a bad name, signature or option
 * throws a `FlockConfigError` naming each offending field.
 *
 * @example
 * const summarizer = defineAgent({
 *   name: 'summarizer',
 *   input: 'text: string',
 *   output: 'summary: string, words: integer',
 *   evaluate: ({ text }) => ({ summary: text.slice(0, 80), words: text.split(/\s+/).length }),
 *   next: 'reviewer',
 * });
 * // => Agent<'summarizer', { text: string }, { summary: string; words: number }, false>
 */
export function defineAgent<N extends string, I extends SignatureInput, O extends SignatureInput, X extends NextSpec<InferSignature<O>> | undefined>(
  options: AgentOptions<I, O, N, X>,
): Agent<N, InferSignatureInput<I>, InferSignature<O>, [X] extends [string] ? false : true> {
  if (!isPlainRecord(options)) throw new FlockConfigError('agent', [{ path: '', message: 'agent options must be an object' }]);
  const opts = options as unknown as AgentOptions;
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(opts)) {
    if (!KNOWN_OPTIONS.has(key)) issues.push({ path: key, message: `unknown agent option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})` });
  }
  const badName = nameIssue(opts.name, 'name');
  if (badName) issues.push(badName);
  if (opts.description !== undefined && typeof opts.description !== 'string') {
    issues.push({ path: 'description', message: 'description must be a string' });
  }
  const input = compileSignature(opts.input, 'input');
  if ('path' in input) issues.push(input);
  const output = compileSignature(opts.output, 'output');
  if ('path' in output) issues.push(output);
  checkEvaluator(opts, issues);
  checkTools(opts.tools, issues);
  checkNext(opts.next, issues);
  checkComponents(opts.components, issues);
  if (opts.temporalActivityConfig !== undefined) {
    const parsed = TemporalActivityConfigSchema.safeParse(opts.temporalActivityConfig);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({ path: formatPath(['temporalActivityConfig', ...issue.path]), message: issue.message });
      }
    }
  }
  let context: AgentContextSpec | undefined;
  if (opts.context !== undefined) {
    const parsed = AgentContextSpecSchema.safeParse(opts.context);
    if (parsed.success) context = parsed.data;
    else for (const issue of parsed.error.issues) issues.push({ path: formatPath(['context', ...issue.path]), message: issue.message });
  }
  let approval: ApprovalSpec | undefined;
  if (opts.approval !== undefined && opts.approval !== false) {
    const parsed = ApprovalSpecSchema.safeParse(opts.approval === true ? {} : opts.approval);
    if (parsed.success) approval = parsed.data;
    else for (const issue of parsed.error.issues) issues.push({ path: formatPath(['approval', ...issue.path]), message: issue.message });
  }
  let budget: BudgetSpec | undefined;
  if (opts.budget !== undefined) {
    const parsed = BudgetSpecSchema.safeParse(opts.budget);
    if (parsed.success) budget = parsed.data;
    else for (const issue of parsed.error.issues) issues.push({ path: formatPath(['budget', ...issue.path]), message: issue.message });
  }
  if (opts.human?.fallback !== undefined && !('path' in output)) {
    const checked = output.schema.safeParse(opts.human.fallback);
    if (!checked.success) {
      for (const issue of checked.error.issues)
        issues.push({ path: formatPath(['human', 'fallback', ...issue.path]), message: `the fallback must match the output signature: ${issue.message}` });
    }
  }
  if (opts.settings !== undefined && !isPlainRecord(opts.settings)) {
    issues.push({ path: 'settings', message: 'settings must be an object' });
  }
  if (issues.length || 'path' in input || 'path' in output) {
    throw new FlockConfigError(badName ? 'agent' : `agent "${opts.name}"`, issues);
  }

  const tools = [...(opts.tools ?? [])];
  const evaluator = opts.human !== undefined ? humanEvaluator(opts.human) : (opts.evaluator ?? codeEvaluator(opts.evaluate as EvaluateFunction));
  const handoff = normalizeNext(opts.next);
  const components = [...(opts.components ?? [])];
  const settings = { ...opts.settings };
  let specs: { input: SignatureSpec; output: SignatureSpec } | undefined;
  const agent: Agent = {
    [AGENT]: true,
    name: opts.name,
    description: opts.description ?? '',
    input,
    output,
    evaluator,
    tools,
    toolNames: tools.map((tool) => (typeof tool === 'string' ? tool : tool.name)),
    inlineTools: tools.filter(isTool),
    handoff,
    components,
    temporalActivityConfig: opts.temporalActivityConfig,
    context,
    approval,
    budget,
    settings,
    toDefinition: () => {
      specs ??= { input: signatureSpec(input), output: signatureSpec(output) };
      const definition: AgentDefinition = {
        name: opts.name,
        description: opts.description ?? '',
        input: specs.input,
        output: specs.output,
        evaluator: { ...evaluator.spec },
        tools: [...agent.toolNames],
        components: components.map((component) => component.name),
        settings: { ...settings },
      };
      const next = handoffSpec(handoff);
      if (next) definition.next = next;
      if (opts.temporalActivityConfig) definition.temporalActivityConfig = { ...opts.temporalActivityConfig };
      if (context) definition.context = { ...context };
      if (approval) definition.approval = { ...approval };
      if (budget) definition.budget = { ...budget };
      return definition;
    },
  };
  return agent as Agent<N, InferSignatureInput<I>, InferSignature<O>, [X] extends [string] ? false : true>;
}
