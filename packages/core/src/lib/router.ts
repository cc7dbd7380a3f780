import type { TokenUsage } from '@flock-ts/engine';
import { FlockConfigError, NameSchema, type ConfigIssue } from '@flock-ts/config';
import type { Agent } from './agent';
import type { AgentContext } from './context';

const ROUTER = Symbol.for('@flock-ts/core/router');

/** What a router sees after an agent finished. */
export interface RouteRequest {
  /** The agent that just finished. */
  agent: Agent;
  output: Record<string, unknown>;
  /** Read-only view of the run. */
  context: AgentContext;
  /** Every agent of the flock, the finished one included (a router may loop). */
  candidates: readonly Agent[];
}

/** Where the run goes next; `nextAgent: null` ends the run. */
export interface RouteDecision {
  nextAgent: string | null;
  /** 0..1; a decision below the router's `minConfidence` ends the run. Absent means certain. */
  confidence?: number;
  reason?: string;
  /** Tokens a model spent deciding; counted in the run's usage. */
  usage?: TokenUsage;
}

/** How to declare a router. */
export interface RouterOptions {
  name: string;
  description?: string;
  /** Decisions with a lower `confidence` end the run instead of handing off. */
  minConfidence?: number;
  settings?: Record<string, unknown>;
  route(request: RouteRequest): RouteDecision | Promise<RouteDecision>;
}

/** A component that picks the next agent from an agent's output. */
export interface Router {
  readonly [ROUTER]: true;
  readonly name: string;
  readonly description: string;
  readonly minConfidence?: number;
  readonly settings: Record<string, unknown>;
  route(request: RouteRequest): RouteDecision | Promise<RouteDecision>;
}

/** True for a value made by {@link defineRouter}. */
export function isRouter(value: unknown): value is Router {
  return typeof value === 'object' && value !== null && (value as { [ROUTER]?: unknown })[ROUTER] === true;
}

/**
 * Declares a router. Use it as an agent's `next`, or register it on the
 * flock and refer to it as `next: { router: 'name' }`.
 *
 * @example
 * const byScore = defineRouter({
 *   name: 'byScore',
 *   route: ({ output }) => ({ nextAgent: Number(output.score) < 0.5 ? 'reviser' : null }),
 * });
 */
export function defineRouter(options: RouterOptions): Router {
  const issues: ConfigIssue[] = [];
  const name = NameSchema.safeParse(options?.name);
  if (!name.success) issues.push({ path: 'name', message: name.error.issues[0].message });
  if (typeof options?.route !== 'function') issues.push({ path: 'route', message: 'route must be a function (request) => RouteDecision' });
  const min = options?.minConfidence;
  if (min !== undefined && !(typeof min === 'number' && min >= 0 && min <= 1)) {
    issues.push({ path: 'minConfidence', message: 'minConfidence must be a number from 0 to 1' });
  }
  if (options?.description !== undefined && typeof options.description !== 'string') {
    issues.push({ path: 'description', message: 'description must be a string' });
  }
  if (issues.length) throw new FlockConfigError(name.success ? `router "${name.data}"` : 'router', issues);
  const router: Router = {
    [ROUTER]: true,
    name: options.name,
    description: options.description ?? '',
    settings: { ...options.settings },
    route: options.route,
  };
  return min === undefined ? router : { ...router, minConfidence: min };
}
