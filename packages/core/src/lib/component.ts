import type { AgentContext } from './context';

/** How a step ended, as `onTerminate` sees it. */
export interface StepEnd {
  /** The validated output, when the step succeeded. */
  output?: Record<string, unknown>;
  /** The failure, when it did not. */
  error?: unknown;
}

/**
 * Hooks around one agent step. They run where the step runs (in-process, or
 * inside the Temporal activity), in the order the agent lists its components.
 *
 * Order: `onInitialize`, `onPreEvaluate`, evaluation, output validation,
 * `onPostEvaluate`; `onError` on any failure; `onTerminate` always, last.
 * A throwing `onError` or a throwing `onTerminate` after a failure never hides the original failure.
 *
 * @example
 * const trim: Component = {
 *   name: 'trim',
 *   onPreEvaluate: (inputs) => ({ ...inputs, text: String(inputs.text).trim() }),
 * };
 */
export interface Component {
  name: string;
  onInitialize?(ctx: AgentContext): void | Promise<void>;
  /** Return new inputs to replace them (they are validated again). */
  onPreEvaluate?(inputs: Record<string, unknown>, ctx: AgentContext): Record<string, unknown> | void | Promise<Record<string, unknown> | void>;
  /** Return a new output to replace it (it is validated again). */
  onPostEvaluate?(output: Record<string, unknown>, ctx: AgentContext, inputs: Record<string, unknown>): Record<string, unknown> | void | Promise<Record<string, unknown> | void>;
  onTerminate?(ctx: AgentContext, end: StepEnd): void | Promise<void>;
  onError?(error: unknown, ctx: AgentContext): void | Promise<void>;
}
