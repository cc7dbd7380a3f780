import { formatPath, type ConfigIssue } from '@flock-ts/config';
import type { z } from 'zod';
import type { Agent } from './agent';
import { AgentInputValidationError, AgentOutputValidationError } from './errors';
import type { RunState } from './run-state';

const hasOwn = Object.prototype.hasOwnProperty;

/** The latest value of `field`: newest step output that has it, else the run input, else the variables. */
function lookup(field: string, state: RunState): unknown {
  const history = state.history;
  for (let i = history.length - 1; i >= 0; i--) {
    const output = history[i].output;
    if (hasOwn.call(output, field) && output[field] !== undefined) return output[field];
  }
  if (hasOwn.call(state.input, field) && state.input[field] !== undefined) return state.input[field];
  if (hasOwn.call(state.variables, field)) return state.variables[field];
  return undefined;
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * Validates inputs against the agent's input signature; returns the parsed
 * values (defaults applied, unknown keys dropped unless the schema keeps them).
 */
export function validateAgentInputs(agent: Agent, inputs: unknown): Record<string, unknown> {
  const result = agent.input.schema.safeParse(inputs);
  if (result.success) return result.data as Record<string, unknown>;
  const issues = toIssues(result.error);
  const field = formatPath(result.error.issues[0].path.slice(0, 1));
  const missing = field && isRecord(inputs) && inputs[field] === undefined;
  if (missing) issues[0] = { ...issues[0], message: `${issues[0].message} (not found in any earlier output, the run input or the variables)` };
  throw new AgentInputValidationError(agent.name, field, issues);
}

/** Validates an output against the agent's output signature; returns the parsed value. */
export function validateAgentOutput(agent: Agent, output: unknown): Record<string, unknown> {
  const result = agent.output.schema.safeParse(output);
  if (result.success) return result.data as Record<string, unknown>;
  const issues = toIssues(result.error);
  throw new AgentOutputValidationError(agent.name, issues[0].path, issues);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Resolves an agent's inputs from the run state, then validates them. Each
 * input field takes the newest step output that has the field, else the
 * run's initial input, else the run variables. Pure: reads the state only.
 *
 * Throws `AgentInputValidationError` naming the agent and the field.
 *
 * @example
 * resolveAgentInputs(flock.agent('ranker'), state) // => { documents: [...] } from the reader's output
 */
export function resolveAgentInputs(agent: Agent, state: RunState): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const fields = agent.input.fields;
  for (let i = 0; i < fields.length; i++) {
    const value = lookup(fields[i], state);
    if (value !== undefined) raw[fields[i]] = value;
  }
  return validateAgentInputs(agent, raw);
}
