import { DEFAULT_TASK_QUEUE, type FlockDefinition } from '@flock-ts/config';
import { FLOCK_SEARCH_ATTRIBUTES, LATEST_WORKFLOW_VERSION, flockWorkflowType, type FlockWorkflowInput } from '@flock-ts/contracts';
import { UnknownAgentError, prepareRunInput } from '@flock-ts/core';
import { assertPayloadSize, encodeFlockMemo, stripSecrets, type FlockMemo } from '@flock-ts/serialization';
import { FlockRunFailedError, runErrorCodeOfFailureType, type FlockRunErrorCode } from '@flock-ts/engine';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type ConnectionLike,
  type WorkflowHandleWithStartDetails,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { FlockRunAlreadyStartedError } from './errors';
import { randomUUID } from 'node:crypto';
import type { ResolvedConnection } from './connection';
import { connectClient, type ConnectOptions } from './connect';
import { flockDataConverter } from './data-converter';
import { flockClientInterceptors } from './client-tracing';
import { webUiBaseUrl, webUiWorkflowLink } from './web-ui';

// How every caller (TemporalExecutor, FlockRunsClient, flockctl) starts and
// reads a Flock run, so ids, memo, search attributes and errors agree.

/** What to start: the agent a run begins with, its input, and optional ids. */
export interface FlockStartRequest {
  startAgent: string;
  input: Record<string, unknown>;
  /** Run id (default: a random UUID); the workflow id is `<flock name>-<runId>`. */
  runId?: string;
  /** Groups runs of one conversation; stored as the `SessionId` search attribute. */
  sessionId?: string;
  /** Overrides the flock's `temporalConfig.taskQueue`. */
  taskQueue?: string;
}

/** Where a started run lives. */
export interface FlockRunHandleInfo {
  workflowId: string;
  /** Temporal run id of the first execution. */
  runId: string;
  namespace: string;
  taskQueue: string;
  /** Link to the run in the Temporal Web UI, when its address is known. */
  webUiUrl?: string;
  /**
   * Whether Temporal handed the run's first workflow task straight to a
   * worker of this process (eager workflow start, see
   * {@link FlockWorkflowStartOptions.eager}); absent when not asked for.
   */
  eagerlyStarted?: boolean;
}

/** Everything `client.workflow.start` needs for one Flock run, built the same way for every caller. */
export interface FlockWorkflowStart {
  workflowType: string;
  workflowId: string;
  /** The Flock run id (also part of the workflow id). */
  runId: string;
  options: WorkflowStartOptions & { args: [FlockWorkflowInput] };
}

/** The workflow id of a Flock run: readable in the Web UI, unique per run. */
export function flockWorkflowId(flockName: string, runId: string): string {
  return `${flockName}-${runId}`;
}

/**
 * Builds the workflow start of a Flock run: workflow type of the flock's
 * `workflowVersion`, id `<flock>-<runId>`, secret-free definition in the
 * input and the memo, search attributes `FlockName`, `StartAgent`,
 * `FlockRunPhase` (`running`) and
 * `SessionId`. The run input is stored too: a secret-named entry (`apiKey`,
 * `Authorization`, `password`, ...) is refused with `FlockConfigError`
 * naming its path; a credential inside a string is cut out (`[redacted]`).
 * Throws `UnknownAgentError` for a start agent the flock lacks,
 * `PayloadTooLargeError` for an input near Temporal's payload limit.
 *
 * @example
 * const start = buildFlockWorkflowStart(flock.toDefinition(), { startAgent: 'reader', input: { folder: '.' } });
 * await client.workflow.start(start.workflowType, start.options);
 */
export function buildFlockWorkflowStart(definition: FlockDefinition, request: FlockStartRequest): FlockWorkflowStart {
  const known = definition.agents.map((agent) => agent.name);
  if (!known.includes(request.startAgent)) throw new UnknownAgentError(request.startAgent, known, 'start agent');
  const config = definition.temporalConfig;
  const workflowVersion = config.workflowVersion ?? LATEST_WORKFLOW_VERSION;
  const workflowType = flockWorkflowType(workflowVersion);
  const runId = request.runId ?? randomUUID();
  const workflowId = flockWorkflowId(definition.name, runId);
  // the snapshot names the contract version it runs on (memo and `flockctl` read it)
  const { safeDefinition, memo } = storedForms(definition, workflowVersion);
  // the same checks as flock.run on every executor: ids, storable input, no secrets (a credential in free text is cut out)
  const runInput = prepareRunInput(request);
  const input: FlockWorkflowInput = {
    definition: safeDefinition,
    startAgent: request.startAgent,
    input: runInput,
    runId,
    ...(request.sessionId ? { sessionId: request.sessionId } : {}),
  };
  // Temporal would refuse a start request over its payload limit; say which run and why, before sending it
  assertPayloadSize(input, {
    subject: `Input of a run of flock "${definition.name}" starting at agent "${request.startAgent}"`,
    hint: 'pass large data by reference (a URL, a file path, a blob store key) and let the agent fetch it',
  });
  return {
    workflowType,
    workflowId,
    runId,
    options: {
      taskQueue: request.taskQueue ?? config.taskQueue ?? DEFAULT_TASK_QUEUE,
      workflowId,
      args: [input],
      memo,
      typedSearchAttributes: [
        { key: FLOCK_SEARCH_ATTRIBUTES.FlockName, value: definition.name },
        { key: FLOCK_SEARCH_ATTRIBUTES.StartAgent, value: request.startAgent },
        // listed as running from the start, without an upsert of the workflow's own
        { key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: 'running' },
        ...(request.sessionId ? [{ key: FLOCK_SEARCH_ATTRIBUTES.SessionId, value: request.sessionId }] : []),
      ],
      // config durations are validated `ms`-style strings or milliseconds, which the SDK accepts
      workflowExecutionTimeout: config.workflowExecutionTimeout as never,
      workflowRunTimeout: config.workflowRunTimeout as never,
      workflowTaskTimeout: config.workflowTaskTimeout as never,
      staticSummary: `Flock ${definition.name} from ${request.startAgent}`,
      // a run id names one run: starting it again (while it runs or after it closed) is refused
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    },
  };
}

/** Options of {@link startFlockWorkflow}. */
export interface FlockWorkflowStartOptions {
  /**
   * Ask for eager workflow start: Temporal hands the first workflow task in
   * the start response to a worker of this process polling the run's task
   * queue, skipping a task-queue round trip. Needs `client` on a
   * `NativeConnection` shared with that worker (the SDK throws otherwise);
   * without a free worker slot the start is simply not eager. The handle's
   * `eagerlyStarted` says whether it was.
   */
  eager?: boolean;
}

/** What a run stores of its definition: the secret-free snapshot (workflow input) and the memo. */
interface StoredForms {
  safeDefinition: FlockDefinition;
  memo: FlockMemo;
}

// A flock starts many runs of one definition, and stripping secrets looks at
// every string of it: the stored forms are kept by the definition's JSON
// text (only for plain JSON definitions: a Date, Map or undefined inside
// would not show in the key). Read-only once built.
const storedFormsByJson = new Map<string, StoredForms>();
const MAX_STORED_FORMS = 64;

function storedForms(definition: FlockDefinition, workflowVersion: number): StoredForms {
  const key = plainJsonKey(definition);
  const cached = key === undefined ? undefined : storedFormsByJson.get(`${workflowVersion}:${key}`);
  if (cached) return cached;
  const safeDefinition = stripSecrets({ ...definition, temporalConfig: { ...definition.temporalConfig, workflowVersion } });
  const forms = { safeDefinition, memo: encodeFlockMemo(safeDefinition) };
  if (key !== undefined) {
    if (storedFormsByJson.size >= MAX_STORED_FORMS) storedFormsByJson.delete(storedFormsByJson.keys().next().value as string);
    storedFormsByJson.set(`${workflowVersion}:${key}`, forms);
  }
  return forms;
}

/** The JSON text of a value made only of plain objects, arrays, strings, finite numbers, booleans and null; else `undefined`. */
function plainJsonKey(value: unknown): string | undefined {
  let plain = true;
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    const original = key === '' ? value : this[key];
    if (
      original === undefined ||
      typeof original === 'bigint' ||
      typeof original === 'function' ||
      typeof original === 'symbol' ||
      (typeof original === 'number' && !Number.isFinite(original))
    )
      plain = false;
    else if (
      typeof original === 'object' &&
      original !== null &&
      !Array.isArray(original) &&
      Object.getPrototypeOf(original) !== Object.prototype &&
      Object.getPrototypeOf(original) !== null
    )
      plain = false;
    return converted;
  });
  return plain ? text : undefined;
}

/**
 * Starts a Flock run as built by {@link buildFlockWorkflowStart}; a run id
 * used before (running or closed) is refused with `FlockRunAlreadyStartedError`.
 */
export async function startFlockWorkflow(client: Client, start: FlockWorkflowStart, options: FlockWorkflowStartOptions = {}): Promise<WorkflowHandleWithStartDetails> {
  try {
    return await client.workflow.start(start.workflowType, options.eager ? { ...start.options, requestEagerStart: true } : start.options);
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new FlockRunAlreadyStartedError(start.workflowId, start.runId, { cause: error });
    throw error;
  }
}

/**
 * A client on the resolved connection with the Flock data converter, so
 * results and memos decode the way workers encoded them. An unreachable
 * server fails within the connect deadline (3 s) with
 * `TemporalUnreachableError` (see {@link connectClient}).
 */
export async function connectFlockClient(connection: ResolvedConnection, options?: ConnectOptions): Promise<Client> {
  return flockClientOn(await connectClient(connection, options), connection);
}

/**
 * A Flock client (data converter, tracing interceptors) on an open
 * connection: a client `Connection` or a worker `NativeConnection` (whose
 * clients can start runs eagerly on its workers). Closing `conn` is up to
 * its owner.
 */
export function flockClientOn(conn: ConnectionLike, connection: ResolvedConnection): Client {
  return new Client({
    connection: conn,
    namespace: connection.namespace,
    dataConverter: flockDataConverter({ codec: connection.payloadCodec }),
    // the start's span carries the trace into the workflow and its activities
    interceptors: flockClientInterceptors(),
  });
}

/**
 * Web UI link of a run on this connection, when the UI's address is known:
 * the connection's `webUiUrl` (`temporalConfig.webUiUrl`), else env
 * `TEMPORAL_UI_URL` ({@link webUiBaseUrl}).
 */
export function flockRunWebUiUrl(connection: Pick<ResolvedConnection, 'namespace'> & { webUiUrl?: string }, workflowId: string, runId?: string): string | undefined {
  const base = webUiBaseUrl(connection);
  return base ? webUiWorkflowLink(base, connection.namespace, workflowId, runId) : undefined;
}

const CLOSE_CODES: Record<string, FlockRunErrorCode> = {
  CancelledFailure: 'CANCELLED',
  TerminatedFailure: 'TERMINATED',
  TimeoutFailure: 'TIMED_OUT',
};

/** Why a run closed without a result, as {@link toFlockRunFailedError} and `run-failed` events say it. */
export interface FlockRunClosure {
  code: FlockRunErrorCode;
  /** The failure's own message (without the workflow id). */
  reason: string;
  agent?: string;
  causeType?: string;
}

/**
 * Why a run closed without a result: `code` from the failure type (v1 and
 * v2 runs alike) or from how Temporal closed the run (cancelled:
 * `CANCELLED`, terminated: `TERMINATED`, timed out: `TIMED_OUT`), `agent`
 * and `causeType` from the failure details.
 */
export function flockRunClosure(error: WorkflowFailedError): FlockRunClosure {
  type Link = { message?: string; type?: string; name?: string; details?: unknown[]; cause?: unknown };
  const top = error.cause as Link | undefined;
  const details = (top?.details?.[0] ?? {}) as { agent?: string; causeType?: string; code?: FlockRunErrorCode };
  const code = (top?.name && CLOSE_CODES[top.name]) || details.code || runErrorCodeOfFailureType(top?.type);
  const closure: FlockRunClosure = { code, reason: top?.message || error.message };
  if (details.agent) closure.agent = details.agent;
  const causeType = details.causeType ?? top?.type;
  if (causeType) closure.causeType = causeType;
  return closure;
}

/**
 * Turns a `WorkflowFailedError` into a `FlockRunFailedError` (the same
 * error a local run rejects with): code, agent and cause type as
 * {@link flockRunClosure} reads them, the workflow id and Web UI link.
 * Other errors pass through unchanged.
 */
export function toFlockRunFailedError(error: unknown, workflowId: string, webUiUrl?: string): Error {
  if (!(error instanceof WorkflowFailedError)) return error as Error;
  const { code, reason, agent, causeType } = flockRunClosure(error);
  const where = webUiUrl ? ` (workflow ${workflowId}: ${webUiUrl})` : ` (workflow ${workflowId})`;
  return new FlockRunFailedError(`${reason}${where}`, {
    code,
    agent,
    causeType,
    workflowId,
    webUiUrl,
    cause: error,
  });
}
