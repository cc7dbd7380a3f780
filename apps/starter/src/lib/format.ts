import { signatureJsonSchema } from '@flock-ts/config';
import type { FlockRunResult } from '@flock-ts/contracts';
import {
  BUDGET_RESUME_FLAGS,
  budgetCrossingText,
  type BudgetCrossing,
  type BudgetRaise,
  type FlockResponseReceipt,
  type FlockRunEvent,
  type RunPhase,
  type StepRecord,
  type StepSummary,
  type TokenUsage,
  type WaitingFor,
} from '@flock-ts/core';
import { WEB_UI_UNKNOWN, type FlockRunHandleInfo, type FlockRunSummary, type FlockRunView } from '@flock-ts/temporal';
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
    field('Web UI', info.webUiUrl ?? WEB_UI_UNKNOWN),
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

/**
 * A run's phase, current agent, what it waits for (with the `flockctl
 * respond` command to type; `commandFlags`, the connection options to
 * repeat in it) and its steps.
 */
export function formatStatus(view: FlockRunView, commandFlags: readonly string[] = []): string {
  const wait = personWait(view);
  const origin = [view.startAgent ? `from ${view.startAgent}` : undefined, view.sessionId ? `session ${view.sessionId}` : undefined].filter(Boolean).join(', ');
  return lines([
    field('workflow id', view.workflowId),
    field('flock', `${view.flockName ?? '(unknown)'}${origin ? ` (${origin})` : ''}`),
    field('phase', `${view.phase} (Temporal: ${view.executionStatus})`),
    field('current agent', view.currentAgent ?? '-'),
    ...(wait ? waitDetails(wait, view.workflowId, commandFlags, wait.output, true).map(([label, value]) => field(label, value)) : []),
    ...(view.budgetExceeded
      ? budgetPauseDetails(view.budgetExceeded, view.workflowId, commandFlags).map(([label, value]) => field(label, value))
      : view.phase === 'paused'
        ? [field('paused', `until resumed: ${flockctlCommand(['resume', view.workflowId], commandFlags)}`)]
        : view.pauseRequested
          ? [field('pause', 'requested: the run pauses at the next step boundary')]
          : []),
    field('started', view.startTime),
    field('closed', view.closeTime ?? '-'),
    field('task queue', view.taskQueue),
    ...(view.warning ? [field('warning', view.warning)] : []),
    ...(view.webUiUrl ? [field('Web UI', view.webUiUrl)] : []),
    ...usageLines(view),
    view.source === 'describe' && view.steps.length === 0 ? 'steps: unknown (no worker answered the status query)' : `steps: ${view.stepsDone ?? view.steps.length}`,
    ...formatSteps(view.steps, false, view.stepsDone),
  ]);
}

/**
 * A budget pause: what was crossed (agent, limit, used, max) and the
 * `flockctl resume` command that raises the limit.
 */
function budgetPauseDetails(crossing: BudgetCrossing, workflowId: string, commandFlags: readonly string[]): Array<[string, string]> {
  return [
    ['paused', `by its budget: ${budgetCrossingText(crossing, true)}`],
    ['resume', `${resumeCommand(crossing, workflowId, commandFlags)} (n above ${grouped(crossing.used)})`],
  ];
}

/** `flockctl resume <id> --max-tokens <n>`: the command that raises the limit a budget pause crossed. */
function resumeCommand(crossing: BudgetCrossing, workflowId: string, commandFlags: readonly string[]): string {
  return flockctlCommand(['resume', workflowId, BUDGET_RESUME_FLAGS[crossing.limit], '<n>'], commandFlags);
}

/**
 * New budget limits in words: `maxTokens 20,000 and maxModelCalls 12`.
 *
 * @example
 * formatLimits({ maxTokens: 20000 }) // => 'maxTokens 20,000'
 */
export function formatLimits(budget: BudgetRaise): string {
  return Object.entries(budget)
    .filter(([, max]) => max !== undefined)
    .map(([limit, max]) => `${limit} ${grouped(max as number)}`)
    .join(' and ');
}

/**
 * What a run (or one agent) spent, against its budget when it has one:
 * `tokens: 1,234 of 5,000 · model calls: 3 of 10`; a limit without a
 * budget has no `of` part, and model calls show only when counted or
 * limited. `undefined` when nothing is known.
 *
 * @example
 * formatSpending({ inputTokens: 1000, outputTokens: 234, totalTokens: 1234, modelCalls: 3 }, { maxTokens: 5000 }) // => 'tokens: 1,234 of 5,000 · model calls: 3'
 */
export function formatSpending(usage: TokenUsage | undefined, budget?: { maxTokens?: number; maxModelCalls?: number }): string | undefined {
  const parts: string[] = [];
  if (usage || budget?.maxTokens !== undefined) parts.push(`tokens: ${grouped(usage?.totalTokens ?? 0)}${ofBudget(budget?.maxTokens)}`);
  if (usage?.modelCalls !== undefined || budget?.maxModelCalls !== undefined) parts.push(`model calls: ${grouped(usage?.modelCalls ?? 0)}${ofBudget(budget?.maxModelCalls)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** The run's spending (against its budget), then each agent's that has a budget of its own. */
function usageLines(view: Pick<FlockRunView, 'usage' | 'budget' | 'agentUsage'>): string[] {
  const run = formatSpending(view.usage, view.budget);
  const agents = Object.entries(view.agentUsage ?? {});
  if (run === undefined && agents.length === 0) return [];
  const width = Math.max(0, ...agents.map(([agent]) => agent.length));
  return [field('usage', run ?? '-'), ...agents.map(([agent, usage]) => `  ${`${agent}:`.padEnd(width + 1)} ${formatSpending(usage) ?? '-'}`)];
}

/** ` of 5,000`, or nothing without a limit. */
function ofBudget(max: number | undefined): string {
  return max === undefined ? '' : ` of ${grouped(max)}`;
}

/** `1234567` as `1,234,567`. */
function grouped(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
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

/** What the run waits for from a person, when it does (a wait of another kind, from a newer server, is not shown). */
export function personWait(view: { waitingFor?: WaitingFor }): WaitingFor | undefined {
  const wait = view.waitingFor;
  return wait && (wait.kind === 'input' || wait.kind === 'approval') ? wait : undefined;
}

/** Labelled lines about one wait; `since` adds when it began (the status, not the live events). */
function waitDetails(wait: WaitingFor, workflowId: string, flags: readonly string[], output: Record<string, unknown> | undefined, since = false): Array<[string, string]> {
  const times = [since && wait.since ? `since ${wait.since}` : undefined, wait.deadline ? `times out ${wait.deadline}` : undefined].filter(Boolean);
  const what = wait.kind === 'input' ? `input for step ${wait.step + 1} ${wait.agent}` : `approval of step ${wait.step + 1} ${wait.agent}`;
  const details: Array<[string, string]> = [['waiting for', `${what}${times.length ? ` (${times.join(', ')})` : ''}`]];
  if (wait.prompt) details.push(['prompt', wait.prompt]);
  if (wait.kind === 'input') {
    if (wait.signature !== undefined) details.push(['answer with', describeSignature(wait.signature)]);
    details.push(['respond', respondCommand(workflowId, wait, flags)]);
  } else {
    if (output !== undefined) details.push(['output', compactJson(output)]);
    details.push(['approve', respondCommand(workflowId, wait, flags, 'approve')]);
    details.push(['reject', respondCommand(workflowId, wait, flags, 'reject')]);
  }
  return details;
}

/** A signature as people read it: the string as declared, a JSON schema as compact JSON. */
export function describeSignature(signature: NonNullable<WaitingFor['signature']>): string {
  return typeof signature === 'string' ? signature : compactJson(signature.jsonSchema, 200);
}

/**
 * The `flockctl respond` command that answers `wait`: for input, with a
 * JSON object of the signature's required fields to fill in.
 *
 * @example
 * respondCommand('docs-r1', { kind: 'input', agent: 'editor', step: 2, signature: 'summary: string, score: integer' })
 * // => `flockctl respond docs-r1 --step 3 --input '{"summary":"...","score":0}'`
 */
export function respondCommand(workflowId: string, wait: WaitingFor, flags: readonly string[] = [], decision?: 'approve' | 'reject'): string {
  const args = ['respond', workflowId, '--step', String(wait.step + 1)];
  if (wait.kind === 'input') args.push('--input', JSON.stringify(answerTemplate(wait.signature)));
  else if (decision === 'reject') args.push('--reject', '--comment', '<why>');
  else args.push('--approve');
  return flockctlCommand(args, flags);
}

/** `flockctl <args> <flags>`, each argument quoted for a POSIX shell when it needs to be. */
export function flockctlCommand(args: readonly string[], flags: readonly string[] = []): string {
  return ['flockctl', ...args, ...flags].map(shellQuote).join(' ');
}

/** `text` as one POSIX shell word. */
export function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** An answer to fill in: the required fields of the signature (all of them when none is), with placeholder values. */
export function answerTemplate(signature: WaitingFor['signature']): Record<string, unknown> {
  if (signature === undefined) return {};
  try {
    return schemaTemplate(signatureJsonSchema(signature));
  } catch {
    // an unreadable signature: nothing to prefill
    return {};
  }
}

function schemaTemplate(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : Object.keys(properties);
  return Object.fromEntries(required.filter((name) => name in properties).map((name) => [name, schemaPlaceholder(properties[name])]));
}

function schemaPlaceholder(schema: Record<string, unknown> | undefined): unknown {
  if (Array.isArray(schema?.['enum'])) return (schema['enum'] as unknown[])[0];
  switch (schema?.['type']) {
    case 'string':
      return '...';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return schemaTemplate(schema);
    default:
      return null;
  }
}

/** Where {@link EventFormatter} links and what its printed commands repeat. */
export interface EventFormatOptions {
  workflowId: string;
  /** Connection options to repeat in the commands it prints (`--server x`, `--namespace y`). */
  commandFlags?: readonly string[];
  /** The run's Web UI link, printed with a failure. */
  webUiUrl?: string;
  /** Characters of output previews (default {@link STEP_OUTPUT_WIDTH}). */
  outputWidth?: number;
}

/** Prefix of each line of the models' streamed text. */
export const TEXT_PREFIX = '  | ';

/**
 * Turns a run's events into what `flockctl follow` prints: one line per
 * event (a few for waits and the result), and the models' text inline as
 * it streams (each line after {@link TEXT_PREFIX}). Keeps what it needs
 * across events: the output an approval waits for (carried by the step
 * before it), and whether streamed text has an open line.
 *
 * @example
 * const formatter = new EventFormatter({ workflowId });
 * for await (const event of runs.events(workflowId, { follow: true })) process.stdout.write(formatter.format(event));
 * process.stdout.write(formatter.end());
 */
export class EventFormatter {
  private lastRecord: StepRecord | undefined;
  /** The step whose text streams, and whether its last line is still open. */
  private streaming: { step: number; agent: string; open: boolean } | undefined;

  constructor(private readonly options: EventFormatOptions) {}

  format(event: FlockRunEvent): string {
    if (event.type === 'text-delta') return this.text(event);
    return this.end() + lines(this.describe(event));
  }

  /** Closes an open line of streamed text (call once the events end). */
  end(): string {
    const open = this.streaming?.open;
    this.streaming = undefined;
    return open ? '\n' : '';
  }

  private text(event: Extract<FlockRunEvent, { type: 'text-delta' }>): string {
    let out = '';
    if (this.streaming?.step !== event.step || this.streaming.agent !== event.agent) {
      out += this.end();
      this.streaming = { step: event.step, agent: event.agent, open: false };
    }
    const streaming = this.streaming as { open: boolean };
    event.delta.split('\n').forEach((part, index) => {
      if (index > 0) {
        out += streaming.open ? '\n' : `${TEXT_PREFIX.trimEnd()}\n`;
        streaming.open = false;
      }
      if (part) {
        if (!streaming.open) out += TEXT_PREFIX;
        out += part;
        streaming.open = true;
      }
    });
    return out;
  }

  private describe(event: Exclude<FlockRunEvent, { type: 'text-delta' }>): string[] {
    const { workflowId, commandFlags = [], webUiUrl, outputWidth = STEP_OUTPUT_WIDTH } = this.options;
    switch (event.type) {
      case 'step-started':
        return [`step ${event.step + 1} ${event.agent} started`];
      case 'step-completed': {
        const { record } = event;
        this.lastRecord = record;
        const took = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
        const facts = [
          Number.isFinite(took) ? `in ${took} ms` : undefined,
          record.attempt && record.attempt > 1 ? `attempt ${record.attempt}` : undefined,
          record.usage ? tokens(record.usage) : undefined,
        ].filter(Boolean);
        return [`step ${record.step + 1} ${record.agent} completed${facts.length ? ` ${facts.join(', ')}` : ''}: ${compactJson(record.output, outputWidth)}`];
      }
      case 'waiting': {
        const wait = event.waitingFor;
        const output = wait.output ?? (this.lastRecord?.step === wait.step ? this.lastRecord.output : undefined);
        const [[, headline], ...details] = waitDetails(wait, workflowId, commandFlags, output);
        return [`waiting for ${headline}`, ...details.map(([label, value]) => `  ${`${label}:`.padEnd(13)}${value}`)];
      }
      case 'response': {
        const by = event.by ? ` by ${event.by}` : '';
        if (event.kind === 'input') return [`response: input for step ${event.step + 1} ${event.agent} accepted${by}`];
        const comment = event.comment ? `: ${JSON.stringify(event.comment)}` : '';
        return [`response: step ${event.step + 1} ${event.agent} ${event.approved ? 'approved' : 'rejected'}${by}${comment}`];
      }
      case 'paused':
        if (event.budgetExceeded) {
          const crossing = event.budgetExceeded;
          return [`paused by its budget: ${budgetCrossingText(crossing, true)}; go on with a higher ${crossing.limit}: ${resumeCommand(crossing, workflowId, commandFlags)}`];
        }
        return [`paused${event.reason ? ` (${event.reason})` : ''}: no further step starts until resumed (${flockctlCommand(['resume', workflowId], commandFlags)})`];
      case 'resumed':
        return ['resumed'];
      case 'run-completed': {
        const { result } = event;
        const facts = [plural(result.stepCount, 'step'), result.usage ? tokens(result.usage) : undefined].filter(Boolean);
        return [`completed at agent ${result.lastAgent} after ${facts.join(', ')}; output:`, ...formatOutput(result.output)];
      }
      case 'run-failed': {
        const link = webUiUrl ? [`  Web UI: ${webUiUrl}`] : [];
        if (event.code === 'CANCELLED') return [`cancelled: ${event.message}`, ...link];
        return [`failed: ${event.code}${event.agent ? ` at agent ${event.agent}` : ''}: ${event.message}`, ...link];
      }
    }
  }
}

/** `120 tokens (100 in, 20 out)`. */
function tokens(usage: TokenUsage): string {
  return `${usage.totalTokens} tokens (${usage.inputTokens} in, ${usage.outputTokens} out)`;
}

/** What `respond` prints once the run accepted the answer. */
export function formatReceipt(workflowId: string, receipt: FlockResponseReceipt, approved?: boolean): string {
  const what =
    receipt.kind === 'input'
      ? `Input accepted for step ${receipt.step + 1} ${receipt.agent}`
      : `${approved ? 'Approved' : 'Rejected'} the output of step ${receipt.step + 1} ${receipt.agent}`;
  return `${what} (run ${workflowId}); the run goes on.\n`;
}

/** What `cancel` found: the phase the run ended in, or that it has not ended yet. */
export function formatCancelOutcome(workflowId: string, outcome: RunPhase, taskQueue?: string): string {
  switch (outcome) {
    case 'cancelled':
      return `Cancelled ${workflowId}: the running step stopped and the run ended cancelled.\n`;
    case 'completed':
    case 'failed':
      return `Run ${workflowId} had already ${outcome} before the cancellation arrived; nothing was cancelled.\n`;
    default:
      return `Cancellation requested for ${workflowId}; the run has not ended yet (${
        taskQueue ? `is a worker running for task queue ${taskQueue}?` : 'is a worker running for its task queue?'
      } It ends once a worker takes the cancellation).\n`;
  }
}

/** String fields print as text blocks (reports read as written); everything else as JSON. */
function formatOutput(output: Record<string, unknown>): string[] {
  const entries = Object.entries(output);
  if (entries.length === 0) return ['  {}'];
  return entries.flatMap(([key, value]) => {
    if (typeof value === 'string' && value.includes('\n'))
      return [
        `  ${key}:`,
        ...value
          .trimEnd()
          .split('\n')
          .map((line) => (line ? `    ${line}` : '')),
      ];
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
