import type { FlockRunResult } from '@flock-ts/contracts';
import type { StepRecord, StepSummary } from '@flock-ts/core';
import type { FlockRunHandleInfo, FlockRunSummary, FlockRunView } from '@flock-ts/temporal';
import { STEP_OUTPUT_WIDTH } from './cli';

/** Output for scripts: stable, pretty JSON. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** What `run` prints once the workflow has started. */
export function formatStarted(flockName: string, startAgent: string, info: FlockRunHandleInfo): string {
  return lines([
    `Started flock ${flockName} at agent ${startAgent}`,
    field('workflow id', info.workflowId),
    field('run id', info.runId),
    field('namespace', info.namespace),
    field('task queue', info.taskQueue),
    field('Web UI', info.webUiUrl ?? '(unknown: set TEMPORAL_UI_URL)'),
  ]);
}

/** A completed run: who finished it, its steps, then its output. */
export function formatResult(workflowId: string, result: FlockRunResult): string {
  return lines([
    `Run ${workflowId} of flock ${result.flockName} completed at agent ${result.lastAgent} after ${plural(result.stepCount, 'step')}`,
    ...(result.usage ? [field('tokens', `${result.usage.totalTokens} (${result.usage.inputTokens} in, ${result.usage.outputTokens} out)`)] : []),
    ...formatSteps(result.steps, true, result.stepCount),
    'output:',
    ...formatOutput(result.output),
  ]);
}

/** A run's phase, current agent and steps. */
export function formatStatus(view: FlockRunView): string {
  const origin = [view.startAgent ? `from ${view.startAgent}` : undefined, view.sessionId ? `session ${view.sessionId}` : undefined]
    .filter(Boolean)
    .join(', ');
  return lines([
    field('workflow id', view.workflowId),
    field('flock', `${view.flockName ?? '(unknown)'}${origin ? ` (${origin})` : ''}`),
    field('phase', `${view.phase} (Temporal: ${view.executionStatus})`),
    field('current agent', view.currentAgent ?? '-'),
    field('started', view.startTime),
    field('closed', view.closeTime ?? '-'),
    field('task queue', view.taskQueue),
    ...(view.warning ? [field('warning', view.warning)] : []),
    ...(view.webUiUrl ? [field('Web UI', view.webUiUrl)] : []),
    view.source === 'describe' && view.steps.length === 0
      ? 'steps: unknown (no worker answered the status query)'
      : `steps: ${view.stepsDone ?? view.steps.length}`,
    ...formatSteps(view.steps, false, view.stepsDone),
  ]);
}

/** Runs as a table, newest first. */
export function formatList(runs: readonly FlockRunSummary[]): string {
  if (runs.length === 0) return 'No Flock runs found.\n';
  const header = ['WORKFLOW ID', 'FLOCK', 'PHASE', 'START', 'CURRENT', 'SESSION', 'STARTED'];
  const rows = runs.map((run) => [
    run.workflowId,
    run.unreadable ? `${run.flockName ?? ''}${run.flockName ? ' ' : ''}(${run.unreadable})` : (run.flockName ?? '-'),
    run.phase,
    run.startAgent ?? '-',
    (run.phase === 'running' ? run.currentAgent : undefined) ?? '-',
    run.sessionId ?? '-',
    run.startTime,
  ]);
  return table([header, ...rows]);
}

/**
 * `agent  started -> finished (duration)` per step, numbered by its place in
 * the run; when these are the latest of more steps, says so.
 */
export function formatSteps(steps: readonly StepSummary[], withHeading = true, total = steps.length): string[] {
  if (steps.length === 0) return [];
  const width = Math.max(...steps.map((step) => step.agent.length));
  const numberWidth = String(total).length;
  const heading = total > steps.length ? `steps (latest ${steps.length} of ${total}; flockctl steps <workflow id> lists all):` : 'steps:';
  return [
    ...(withHeading ? [heading] : total > steps.length ? [`  (latest ${steps.length} of ${total})`] : []),
    ...steps.map((step, index) => `  ${String((step.step ?? index) + 1).padStart(numberWidth)}. ${step.agent.padEnd(width)}  ${stepTimes(step)}`),
  ];
}

/** `started -> finished (duration[, attempt n])` of one step. */
function stepTimes(step: Pick<StepSummary, 'startedAt' | 'finishedAt' | 'attempt'>): string {
  const took = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  const attempt = step.attempt && step.attempt > 1 ? `, attempt ${step.attempt}` : '';
  const duration = Number.isFinite(took) ? ` (${took} ms${attempt})` : '';
  return `${step.startedAt} -> ${step.finishedAt}${duration}`;
}

/** Column widths of {@link formatStepLine}: 0 leaves a column unpadded (steps printed as they finish). */
export interface StepLineWidths {
  number: number;
  agent: number;
}

/**
 * One line of `flockctl steps`: `n. agent  started -> finished (duration)  output`,
 * the output as compact JSON cut to `outputWidth` characters (`…` marks the cut).
 *
 * @example
 * formatStepLine(record) // => '  1. upper  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:00.250Z (250 ms)  {"text":"HELLO"}'
 */
export function formatStepLine(step: StepRecord, widths: StepLineWidths = { number: 0, agent: 0 }, outputWidth = STEP_OUTPUT_WIDTH): string {
  return `  ${String(step.step + 1).padStart(widths.number)}. ${step.agent.padEnd(widths.agent)}  ${stepTimes(step)}  ${compactJson(step.output, outputWidth)}`;
}

/** Every step of a run, aligned, then how many there were. */
export function formatStepLines(steps: readonly StepRecord[], outputWidth = STEP_OUTPUT_WIDTH): string {
  if (steps.length === 0) return 'No finished steps yet.\n';
  const widths = { number: Math.max(...steps.map((step) => String(step.step + 1).length)), agent: Math.max(...steps.map((step) => step.agent.length)) };
  return lines([...steps.map((step) => formatStepLine(step, widths, outputWidth)), plural(steps.length, 'step')]);
}

/** `value` as one line of JSON, at most `width` characters (`…` marks a cut). */
export function compactJson(value: unknown, width = STEP_OUTPUT_WIDTH): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= width ? text : `${text.slice(0, Math.max(width - 1, 0))}…`;
}

/** String fields print as text blocks (reports read as written); everything else as JSON. */
function formatOutput(output: Record<string, unknown>): string[] {
  const entries = Object.entries(output);
  if (entries.length === 0) return ['  {}'];
  return entries.flatMap(([key, value]) => {
    if (typeof value === 'string' && value.includes('\n')) return [`  ${key}:`, ...value.trimEnd().split('\n').map((line) => (line ? `    ${line}` : ''))];
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    const [first, ...more] = text.split('\n');
    return [`  ${key}: ${first}`, ...more.map((line) => `  ${line}`)];
  });
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return lines(rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')));
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(15)}${value}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function lines(items: string[]): string {
  return `${items.join('\n')}\n`;
}
