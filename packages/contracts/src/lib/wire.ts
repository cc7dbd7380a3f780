import type { RunResult, RunState } from '@flock-ts/engine';
import type { z } from 'zod';
import type { FlockWorkflowInputSchema } from './wire-schemas';

/**
 * Wire shapes of the current workflow contract (version 2,
 * `FlockWorkflowV2`). Versioned with the workflow: extend them only with
 * optional fields, so recorded histories keep replaying. A step's request
 * and result are `StepRequest` / `StepResult` of `@flock-ts/engine`.
 */

/** What a run carries into the next run of its chain when it continues as new. */
export interface ContinuedRun {
  /** The compact run state (variables, fields, counters, usage, bounded step tails). */
  state: RunState;
  /** Runs of the chain before this one. */
  runs: number;
  /** Set when the run was paused (it stays paused until resumed). */
  paused?: boolean;
}

/** Input of `FlockWorkflowV2`: the definition snapshot the whole run follows (see `FlockWorkflowInputSchema`). */
export type FlockWorkflowInput = z.input<typeof FlockWorkflowInputSchema>;

/** Result of a completed run: bounded, whatever the run's length. */
export type FlockRunResult = RunResult;

/** {@link FlockWorkflowInput} as the workflow reads it: the definition parsed (defaults applied), as `buildFlockWorkflowStart` sends it. */
export type FlockWorkflowRunInput = z.output<typeof FlockWorkflowInputSchema>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Checks the input of `FlockWorkflowV2` with plain code, where the
 * workflow runs: the Temporal sandbox evaluates a workflow's imports again
 * for every workflow, so it cannot afford to build zod schemas. The full
 * validation (`FlockWorkflowInputSchema` of `@flock-ts/contracts/schemas`)
 * happened when the flock was defined and the run started
 * (`buildFlockWorkflowStart`); this checks the shape the run loop relies
 * on and lists what is wrong, `path: rule`, as zod would.
 */
export function readFlockWorkflowInput(raw: unknown): { ok: true; value: FlockWorkflowRunInput } | { ok: false; issues: string[] } {
  const issues: string[] = [];
  const expect = (ok: boolean, path: string, rule: string) => {
    if (!ok) issues.push(`${path}: ${rule}`);
    return ok;
  };
  if (!expect(isRecord(raw), '(root)', 'expected an object')) return { ok: false, issues };
  const input = raw as Record<string, unknown>;
  const definition = input['definition'];
  if (expect(isRecord(definition), 'definition', 'expected a flock definition object')) {
    const def = definition as Record<string, unknown>;
    expect(isName(def['name']), 'definition.name', 'expected a non-empty string');
    expect(typeof def['maxIterations'] === 'number', 'definition.maxIterations', 'expected a number (a parsed definition, as buildFlockWorkflowStart sends)');
    expect(isRecord(def['temporalConfig']), 'definition.temporalConfig', 'expected an object');
    const agents = def['agents'];
    if (expect(Array.isArray(agents), 'definition.agents', 'expected an array')) {
      (agents as unknown[]).forEach((agent, i) => {
        if (!expect(isRecord(agent), `definition.agents.${i}`, 'expected an agent object')) return;
        const a = agent as Record<string, unknown>;
        expect(isName(a['name']), `definition.agents.${i}.name`, 'expected a non-empty string');
        expect(
          isRecord(a['evaluator']) && typeof (a['evaluator'] as Record<string, unknown>)['kind'] === 'string',
          `definition.agents.${i}.evaluator`,
          'expected an evaluator with a kind',
        );
      });
    }
  }
  expect(isName(input['startAgent']), 'startAgent', 'expected a non-empty string');
  expect(isRecord(input['input']), 'input', 'expected an object');
  expect(isName(input['runId']), 'runId', 'expected a non-empty string');
  if (input['sessionId'] !== undefined) expect(isName(input['sessionId']), 'sessionId', 'expected a non-empty string');
  const continued = input['continued'];
  if (continued !== undefined && expect(isRecord(continued), 'continued', 'expected an object')) {
    const c = continued as Record<string, unknown>;
    const state = c['state'];
    expect(isRecord(state) && typeof state['stepCount'] === 'number' && isRecord(state['fields']), 'continued.state', 'the carried run state must have stepCount and fields');
    expect(Number.isInteger(c['runs']) && (c['runs'] as number) > 0, 'continued.runs', 'expected a positive integer');
    if (c['paused'] !== undefined) expect(typeof c['paused'] === 'boolean', 'continued.paused', 'expected a boolean');
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: input as FlockWorkflowRunInput };
}
