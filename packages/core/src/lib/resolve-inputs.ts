import { formatPath, type ConfigIssue } from '@flock-ts/config';
import type { z } from 'zod';
import type { Agent } from './agent';
import { AgentInputValidationError, AgentOutputValidationError } from './errors';

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
