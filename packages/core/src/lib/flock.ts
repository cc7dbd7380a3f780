import { FlockConfigError, parseFlockDefinition, type BudgetSpec, type ConfigIssue, type FlockDefinition, type FlockDefinitionInput } from '@flock-ts/config';
import { planRun, type RunPlan, type StepFingerprint } from '@flock-ts/engine';
import { defineAgent, isAgent, type Agent, type AgentOptions } from './agent';
import { ExecutorNotAvailableError, UnknownAgentError, UnknownRouterError, UnknownToolError } from './errors';
import type { FlockExecutor, NoExecutorFields } from './executor';
import { LocalExecutor } from './local-executor';
import type { Router } from './router';
import type { FlockRun } from './run-handle';
import type { FlockRunResult, RunRequest, RunResult } from './run-state';
import type { Tool } from './tool';

/** How to declare a flock: the serializable options of `@flock-ts/config`, plus code. */
export type FlockOptions<A extends Agent = Agent, X extends object = NoExecutorFields> = Omit<FlockDefinitionInput, 'agents' | 'budget'> & {
  /**
   * What the run's model calls may spend, summed over the whole run: every
   * agent's steps and every routing decision (`maxTokens`: input plus
   * output tokens; `maxModelCalls`: each call of a tool loop, and each
   * router's choice, counts). A run that crosses a limit fails with
   * `FlockRunFailedError` code `BUDGET_EXCEEDED`, naming the agent whose
   * step crossed it and the figures. Agents may have their own `budget` too.
   *
   * @example
   * new Flock({ name: 'research', agents, budget: { maxTokens: 100_000, maxModelCalls: 40 } })
   */
  budget?: BudgetSpec;
  /** Agents made by `defineAgent` type the flock's runs; options defined here leave them untyped. */
  agents?: ReadonlyArray<A | AgentOptions>;
  /** Tools agents refer to by name. */
  tools?: Tool[];
  /** Routers agents refer to as `next: { router: name }`. */
  routers?: Router[];
  /**
   * Runs the flock: in-process by default, durably on Temporal with
   * `executor: temporal()` from `@flock-ts/temporal` (which sets
   * `enableTemporal`; `enableTemporal: true` without an executor is refused
   * when the flock runs). What it adds to results (`temporal`: where the
   * run lives) types `flock.run()`'s result.
   */
  executor?: FlockExecutor<X>;
};

const LOCAL = new LocalExecutor();

function prefixIssues(error: unknown, prefix: string): never {
  if (error instanceof FlockConfigError) {
    throw new FlockConfigError(
      error.subject,
      error.issues.map((issue) => ({ ...issue, path: issue.path ? `${prefix}.${issue.path}` : prefix })),
    );
  }
  throw error;
}

/**
 * A named group of agents, tools and routers, and how its runs execute.
 *
 * @example
 * const flock = new Flock({ name: 'docs', agents: [reader, ranker, reporter] });
 * const result = await flock.run({ startAgent: 'reader', input: { folder: './docs' } });
 * console.log(result.output.report);
 */
export class Flock<A extends Agent = Agent, X extends object = NoExecutorFields> {
  readonly name: string;
  readonly description: string;
  readonly model: string | undefined;
  readonly maxIterations: number;
  readonly enableTemporal: boolean;
  readonly temporalConfig: FlockDefinition['temporalConfig'];
  readonly temporalStartInProcessWorker: boolean;
  readonly metadata: Record<string, unknown>;
  /** What a run's model calls may spend, all agents together, when limited. */
  readonly budget: BudgetSpec | undefined;
  private readonly agentList: Agent[] = [];
  private readonly agentMap = new Map<string, Agent>();
  private readonly toolMap = new Map<string, Tool>();
  private readonly routerMap = new Map<string, Router>();
  private readonly explicitExecutor: FlockExecutor<X> | undefined;
  private plan: RunPlan | undefined;

  constructor(options: FlockOptions<A, X>) {
    const { agents = [], tools = [], routers = [], executor, ...rest } = options ?? ({} as FlockOptions);
    const config = parseFlockDefinition({ ...rest, agents: [] });
    this.name = config.name;
    this.description = config.description;
    this.model = config.model;
    this.maxIterations = config.maxIterations;
    // a Temporal executor is the choice to run durably
    this.enableTemporal = config.enableTemporal || executor?.kind === 'temporal';
    this.temporalConfig = config.temporalConfig;
    this.temporalStartInProcessWorker = config.temporalStartInProcessWorker;
    this.metadata = config.metadata;
    this.budget = config.budget;
    this.explicitExecutor = executor;
    tools.forEach((tool) => this.registerTool(tool));
    routers.forEach((router) => this.registerRouter(router));
    agents.forEach((agent, index) => {
      try {
        this.addAgent(agent);
      } catch (error) {
        prefixIssues(error, `agents[${index}]`);
      }
    });
  }

  /** The agents, in the order they were added. */
  get agents(): readonly Agent[] {
    return this.agentList;
  }

  agentNames(): string[] {
    return this.agentList.map((agent) => agent.name);
  }

  hasAgent(name: string): boolean {
    return this.agentMap.has(name);
  }

  /**
   * Adds an agent (or defines it from options). Its inline tools and router get registered.
   * Throws `FlockConfigError` for a duplicate name or a clashing tool or router.
   */
  addAgent<A extends Agent | AgentOptions>(agentOrOptions: A): Agent {
    const agent = isAgent(agentOrOptions) ? agentOrOptions : defineAgent(agentOrOptions as AgentOptions);
    const issues: ConfigIssue[] = [];
    if (this.agentMap.has(agent.name)) issues.push({ path: 'name', message: `duplicate agent name "${agent.name}"` });
    for (const tool of agent.inlineTools) {
      const known = this.toolMap.get(tool.name);
      if (known && known !== tool) issues.push({ path: 'tools', message: `another tool named "${tool.name}" is already registered` });
    }
    const router = agent.handoff?.kind === 'router' && typeof agent.handoff.router !== 'string' ? agent.handoff.router : undefined;
    const knownRouter = router && this.routerMap.get(router.name);
    if (knownRouter && knownRouter !== router) issues.push({ path: 'next', message: `another router named "${router.name}" is already registered` });
    if (issues.length) throw new FlockConfigError(`agent "${agent.name}" in flock "${this.name}"`, issues);
    for (const tool of agent.inlineTools) this.toolMap.set(tool.name, tool);
    if (router) this.routerMap.set(router.name, router);
    this.agentList.push(agent);
    this.agentMap.set(agent.name, agent);
    this.plan = undefined;
    return agent;
  }

  /** The agent of that name; throws `UnknownAgentError` listing the known names. */
  agent(name: string): Agent {
    const agent = this.agentMap.get(name);
    if (!agent) throw new UnknownAgentError(name, this.agentNames());
    return agent;
  }

  /** Registers a tool agents may name; registering the same tool twice is a no-op. */
  registerTool(tool: Tool): this {
    const known = this.toolMap.get(tool.name);
    if (known && known !== tool) {
      throw new FlockConfigError(`flock "${this.name}"`, [{ path: 'tools', message: `another tool named "${tool.name}" is already registered` }]);
    }
    this.toolMap.set(tool.name, tool);
    return this;
  }

  /** The tool of that name; throws `UnknownToolError`. */
  tool(name: string): Tool {
    const tool = this.toolMap.get(name);
    if (!tool) throw new UnknownToolError(name, [...this.toolMap.keys()]);
    return tool;
  }

  get tools(): readonly Tool[] {
    return [...this.toolMap.values()];
  }

  /** Registers a router agents may name as `next: { router: name }`. */
  registerRouter(router: Router): this {
    const known = this.routerMap.get(router.name);
    if (known && known !== router) {
      throw new FlockConfigError(`flock "${this.name}"`, [{ path: 'routers', message: `another router named "${router.name}" is already registered` }]);
    }
    this.routerMap.set(router.name, router);
    return this;
  }

  /** The router of that name; throws `UnknownRouterError`. */
  router(name: string): Router {
    const router = this.routerMap.get(name);
    if (!router) throw new UnknownRouterError(name, [...this.routerMap.keys()]);
    return router;
  }

  get routers(): readonly Router[] {
    return [...this.routerMap.values()];
  }

  /**
   * Checks what can only be checked once all agents are in: static hand-offs,
   * tool names and router names resolve. Throws `FlockConfigError` naming each.
   */
  validate(): void {
    const issues: ConfigIssue[] = [];
    this.agentList.forEach((agent, index) => {
      const handoff = agent.handoff;
      if (handoff?.kind === 'static' && !this.agentMap.has(handoff.agent)) {
        issues.push({
          path: `agents[${index}].next`,
          message: `hand-off from "${agent.name}" to unknown agent "${handoff.agent}" (known: ${this.agentNames().join(', ')})`,
        });
      }
      if (handoff?.kind === 'router' && typeof handoff.router === 'string' && !this.routerMap.has(handoff.router)) {
        issues.push({ path: `agents[${index}].next.router`, message: `unknown router "${handoff.router}" (registered: ${[...this.routerMap.keys()].join(', ') || 'none'})` });
      }
      agent.toolNames.forEach((tool, toolIndex) => {
        if (!this.toolMap.has(tool)) {
          issues.push({ path: `agents[${index}].tools[${toolIndex}]`, message: `unknown tool "${tool}" (registered: ${[...this.toolMap.keys()].join(', ') || 'none'})` });
        }
      });
    });
    if (issues.length) throw new FlockConfigError(`flock "${this.name}"`, issues);
  }

  /**
   * The serializable declaration: plain data, no code. Zod signatures become
   * `{ jsonSchema }`; code evaluators `{ kind: 'code' }`; hand-offs
   * `{ kind: 'static', agent }`, `{ kind: 'code' }` or `{ kind: 'router', router }`.
   */
  toDefinition(): FlockDefinition {
    return parseFlockDefinition({
      name: this.name,
      description: this.description,
      ...(this.model === undefined ? {} : { model: this.model }),
      agents: this.agentList.map((agent) => agent.toDefinition()),
      maxIterations: this.maxIterations,
      enableTemporal: this.enableTemporal,
      temporalConfig: this.temporalConfig,
      temporalStartInProcessWorker: this.temporalStartInProcessWorker,
      metadata: this.metadata,
      ...(this.budget === undefined ? {} : { budget: this.budget }),
    });
  }

  /** The definition prepared for the run loop (cached until an agent is added). */
  runPlan(): RunPlan {
    return (this.plan ??= planRun(this.toDefinition()));
  }

  /** What a step of `agentName` must have been planned with to run on this flock. */
  stepFingerprint(agentName: string): StepFingerprint {
    const agent = this.runPlan().agents.get(agentName);
    if (!agent) throw new UnknownAgentError(agentName, this.agentNames());
    return agent.fingerprint;
  }

  /**
   * The executor of this flock: the one given as `executor`, else the
   * in-process one. `enableTemporal: true` without an executor is refused
   * here (`ExecutorNotAvailableError`): pass `executor: temporal()`.
   */
  executor(): FlockExecutor<X> {
    if (this.explicitExecutor) return this.explicitExecutor;
    if (this.enableTemporal) throw new ExecutorNotAvailableError('temporal', this.name);
    // no executor given: X is the default, nothing is added to results
    return LOCAL as FlockExecutor as FlockExecutor<X>;
  }

  /**
   * Runs the flock from `startAgent`. Rejects before anything runs on an
   * unknown start agent or an invalid flock; a run that fails rejects with a
   * `FlockRunFailedError` (its `code`, the `agent` and the `cause`), on every executor.
   *
   * @example
   * const { output, steps } = await flock.run({ startAgent: 'reader', input: { folder: './docs' } });
   */
  run<S extends A['name']>(request: RunRequest<A, S>): Promise<FlockRunResult<A> & X>;
  async run(request: RunRequest): Promise<RunResult & X> {
    this.checkStart(request);
    // each executor checks the run request with prepareRunInput, the same way, before anything runs
    return this.executor().run(this, request);
  }

  /**
   * Starts a run and returns its handle: follow its `events()`, answer what
   * it waits for with `send()`, `pause()`, `resume()`, `cancel()`, and await
   * its `result()`. Rejects before anything runs, as `run()` does.
   *
   * @example
   * const run = await flock.start({ startAgent: 'drafter', input: { topic: 'tides' } });
   * for await (const event of run.events()) if (event.type === 'waiting') await run.send({ approved: true });
   * console.log((await run.result()).output);
   */
  start<S extends A['name']>(request: RunRequest<A, S>): Promise<FlockRun<FlockRunResult<A> & X>>;
  async start(request: RunRequest): Promise<FlockRun<RunResult & X>> {
    this.checkStart(request);
    return this.executor().start(this, request);
  }

  /**
   * The handle of a run started earlier: by its workflow id on Temporal
   * (from any process), by its run id in-process (runs this process started).
   */
  getRun(id: string): FlockRun {
    return this.executor().getRun(this, id);
  }

  /**
   * Releases what the flock's executor holds for it: on Temporal with
   * `temporalStartInProcessWorker`, shuts its in-process workers down now
   * (they otherwise stop on their own shortly after the last run) and
   * closes its connections. Runs still open are not cancelled: on Temporal
   * they go on once a worker polls their queue again. Idempotent; a run
   * after `close()` works (and starts workers again). Nothing to do
   * in-process.
   *
   * @example
   * try {
   *   await flock.run({ startAgent: 'reader', input: { folder: './docs' } });
   * } finally {
   *   await flock.close();
   * }
   */
  async close(): Promise<void> {
    await this.explicitExecutor?.close?.(this);
  }

  private checkStart(request: RunRequest): void {
    this.validate();
    if (!this.agentMap.has(request?.startAgent)) {
      throw new UnknownAgentError(String(request?.startAgent), this.agentNames(), 'start agent');
    }
  }
}
