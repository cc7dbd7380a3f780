/**
 * The bad-input corpus: every way a user can get a flock wrong, run on both
 * executors where the case can reach them. Each case must end in a clear,
 * named error (name or code, and message fragments that say what is wrong
 * and where); the worker hosting the Temporal runs must survive all of them
 * and keep serving good runs started before, during and after.
 */
import { Flock, defineRouter, defineTool, type AgentOptions, type FlockOptions, type RunResult } from '@flock-ts/core';
import { resolveConnection } from '../src/lib/connection';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';
import { testServer, uniqueQueue } from './harness';
import { isolatedEnv } from './support/raw-history';
import { temporal } from '../src';

jest.setTimeout(60_000);

type Mode = 'local' | 'temporal';

/** What a case must end in. `chain` lists failure types that must appear in the cause chain (Temporal). */
interface Outcome {
  name: string;
  code?: string;
  failureType?: string;
  causeType?: string;
  chain?: string[];
  agent?: string;
  mentions: RegExp[];
}

interface DefineCase {
  kind: 'define';
  name: string;
  define: () => unknown;
  outcome: Outcome;
}

interface RunCase {
  kind: 'run';
  name: string;
  agents: () => AgentOptions[];
  flock?: Partial<FlockOptions>;
  routers?: () => ReturnType<typeof defineRouter>[];
  startAgent?: string;
  input?: unknown;
  /** Outcome per executor; a missing executor does not apply (e.g. payload limits are Temporal's). */
  local?: Outcome | 'succeeds';
  temporal?: Outcome;
  /**
   * The failure must not be retried: on Temporal the case runs with 3
   * attempts (not the corpus's 1), and its evaluator (`counted` under this
   * key) must have run once per executor, the run ending FAILED within {@link QUICK_FAILURE_MS}.
   */
  notRetried?: string;
}

/** How long a failure that is never retried may take to end a Temporal run. */
const QUICK_FAILURE_MS = 10_000;

/** Evaluations per case and executor (the worker runs in this process). */
const evaluations = new Map<string, number>();
const counted =
  (key: string, evaluate: NonNullable<AgentOptions['evaluate']>): NonNullable<AgentOptions['evaluate']> =>
  (inputs, ctx) => {
    const run = `${key}/${ctx.flockName.includes('-temporal-') ? 'temporal' : 'local'}`;
    evaluations.set(run, (evaluations.get(run) ?? 0) + 1);
    return evaluate(inputs, ctx);
  };

/** `{ c: { c: ... } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { c: value };
  return value as Record<string, unknown>;
}

type BadCase = DefineCase | RunCase;

const echo = (extra: Partial<AgentOptions> = {}): AgentOptions => ({
  name: 'a',
  input: 'x: string',
  output: 'y: string',
  evaluate: ({ x }) => ({ y: String(x) }),
  ...extra,
});

const configError = (...mentions: RegExp[]): Outcome => ({ name: 'FlockConfigError', code: 'INVALID_CONFIG', mentions });
const both = (outcome: Outcome) => ({ local: outcome, temporal: outcome });
/**
 * A failure inside a run: on both executors the run fails with the same
 * `FlockRunFailedError` (code, agent, the root error's type as causeType);
 * on Temporal the original error type is in the cause chain too.
 */
const inRun = (type: string, mentions: RegExp[], code = 'AGENT_FAILED', causeType = type) => ({
  local: { name: 'FlockRunFailedError', code, causeType, agent: 'a', mentions },
  temporal: { name: 'FlockRunFailedError', code, causeType, agent: 'a', chain: [type], mentions },
});

const cases: BadCase[] = [
  // invalid config values
  { kind: 'define', name: 'an empty agent name', define: () => new Flock({ name: 'f', agents: [echo({ name: '' })] }), outcome: configError(/name: a name starts with a letter/) },
  {
    kind: 'define',
    name: 'an agent name with spaces',
    define: () => new Flock({ name: 'f', agents: [echo({ name: 'my agent' })] }),
    outcome: configError(/name: a name starts with a letter/),
  },
  {
    kind: 'define',
    name: 'a flock name with punctuation',
    define: () => new Flock({ name: 'bad name!' }),
    outcome: configError(/Invalid flock definition/, /name: a name starts/),
  },
  { kind: 'define', name: 'maxIterations of 0', define: () => new Flock({ name: 'f', maxIterations: 0 }), outcome: configError(/maxIterations: maxIterations must be >= 1/) },
  {
    kind: 'define',
    name: 'a negative start-to-close timeout',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { startToCloseTimeoutSeconds: -5 } })] }),
    outcome: configError(/agent "a"/, /temporalActivityConfig.startToCloseTimeoutSeconds: startToCloseTimeoutSeconds must be >= 0.001 seconds/),
  },
  {
    kind: 'define',
    name: 'retryMaxAttempts of 0',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { retryMaxAttempts: 0 } })] }),
    outcome: configError(/retryMaxAttempts must be >= 1 \(Temporal reads 0 as unlimited\)/),
  },
  {
    kind: 'define',
    name: 'a backoff coefficient below 1',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { retryBackoffCoefficient: 0.5 } })] }),
    outcome: configError(/retryBackoffCoefficient must be >= 1/),
  },
  {
    kind: 'define',
    name: 'a misspelt activity option',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { timeout: 5 } as never })] }),
    outcome: configError(/temporalActivityConfig: Unrecognized key: "timeout"/),
  },
  {
    kind: 'define',
    name: 'a server URL with a scheme',
    define: () => new Flock({ name: 'f', temporalConfig: { serverUrl: 'http://temporal:7233' } }),
    outcome: configError(/temporalConfig.serverUrl: serverUrl must be "host:port" \(no scheme\)/),
  },
  {
    kind: 'define',
    name: 'an empty task queue',
    define: () => new Flock({ name: 'f', temporalConfig: { taskQueue: '' } }),
    outcome: configError(/temporalConfig.taskQueue: taskQueue must not be empty/),
  },
  {
    kind: 'define',
    name: 'a duration that is not one',
    define: () => new Flock({ name: 'f', temporalConfig: { workflowExecutionTimeout: 'soon' } }),
    outcome: configError(/temporalConfig.workflowExecutionTimeout: a duration is/),
  },
  { kind: 'define', name: 'an unknown flock option', define: () => new Flock({ name: 'f', colour: 'red' } as never), outcome: configError(/Unrecognized key: "colour"/) },
  {
    kind: 'define',
    name: 'two agents of one name',
    define: () => new Flock({ name: 'f', agents: [echo(), echo()] }),
    outcome: configError(/agents\[1\].name: duplicate agent name "a"/),
  },
  {
    kind: 'define',
    name: 'both evaluate and evaluator',
    define: () => new Flock({ name: 'f', agents: [echo({ evaluator: { spec: { kind: 'code' }, evaluate: async () => ({ output: {} }) } as never })] }),
    outcome: configError(/evaluator: give either evaluate or evaluator, not both/),
  },
  {
    kind: 'define',
    name: 'no evaluator at all',
    define: () => new Flock({ name: 'f', agents: [echo({ evaluate: undefined })] }),
    outcome: configError(/evaluate: an agent needs evaluate/),
  },
  // values Temporal would round to 0 or misread: the run would hang, or never time out
  {
    kind: 'define',
    name: 'a start-to-close timeout under 1 ms',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { startToCloseTimeoutSeconds: 0.0004 } })] }),
    outcome: configError(/agent "a"/, /temporalActivityConfig.startToCloseTimeoutSeconds: startToCloseTimeoutSeconds must be >= 0.001 seconds \(1 ms\)/),
  },
  {
    kind: 'define',
    name: 'a heartbeat timeout under 1 ms',
    define: () => new Flock({ name: 'f', temporalConfig: { activityDefaults: { heartbeatTimeoutSeconds: 0.0004 } } }),
    outcome: configError(/temporalConfig.activityDefaults.heartbeatTimeoutSeconds: heartbeatTimeoutSeconds must be >= 0.001 seconds \(1 ms\)/),
  },
  {
    kind: 'define',
    name: 'a schedule-to-close timeout of 0',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { scheduleToCloseTimeoutSeconds: 0 } })] }),
    outcome: configError(/temporalActivityConfig.scheduleToCloseTimeoutSeconds: scheduleToCloseTimeoutSeconds must be >= 0.001 seconds/),
  },
  {
    kind: 'define',
    name: 'a workflow execution timeout of "0s"',
    define: () => new Flock({ name: 'f', temporalConfig: { workflowExecutionTimeout: '0s' } }),
    outcome: configError(/temporalConfig.workflowExecutionTimeout: workflowExecutionTimeout must be > 0 \(at least 1 ms\)/),
  },
  {
    kind: 'define',
    name: 'a workflow run timeout of 0 ms',
    define: () => new Flock({ name: 'f', temporalConfig: { workflowRunTimeout: 0 } }),
    outcome: configError(/temporalConfig.workflowRunTimeout: workflowRunTimeout must be > 0 \(at least 1 ms\)/),
  },
  {
    kind: 'define',
    name: 'a workflow task timeout under 1 ms',
    define: () => new Flock({ name: 'f', temporalConfig: { workflowTaskTimeout: '0.0001s' } }),
    outcome: configError(/temporalConfig.workflowTaskTimeout: workflowTaskTimeout must be > 0 \(at least 1 ms\)/),
  },
  {
    kind: 'define',
    name: 'retryMaxAttempts of a billion',
    define: () => new Flock({ name: 'f', agents: [echo({ temporalActivityConfig: { retryMaxAttempts: 1e9 } })] }),
    outcome: configError(/temporalActivityConfig.retryMaxAttempts: retryMaxAttempts must be <= 100/),
  },
  {
    kind: 'define',
    name: 'a signature field named constructor',
    define: () => new Flock({ name: 'f', agents: [echo({ output: 'constructor: string' })] }),
    outcome: configError(/output: Invalid signature .*field name "constructor" is reserved/),
  },
  // malformed signatures
  {
    kind: 'define',
    name: 'a signature without a colon',
    define: () => new Flock({ name: 'f', agents: [echo({ input: 'x string' })] }),
    outcome: configError(/input: Invalid signature "x string" at position 2/),
  },
  {
    kind: 'define',
    name: 'a signature with an unknown type',
    define: () => new Flock({ name: 'f', agents: [echo({ input: 'x: strang' })] }),
    outcome: configError(/unknown type "strang"/, /use string, number, integer/),
  },
  {
    kind: 'define',
    name: 'a signature naming a field twice',
    define: () => new Flock({ name: 'f', agents: [echo({ output: 'y: string, y: integer' })] }),
    outcome: configError(/output: Invalid signature .* duplicate field "y"/),
  },
  {
    kind: 'define',
    name: 'a signature with an unclosed bracket',
    define: () => new Flock({ name: 'f', agents: [echo({ input: 'x: list[string' })] }),
    outcome: configError(/at position 14: expected "]"/),
  },
  {
    kind: 'define',
    name: 'a tool with a malformed signature',
    define: () => defineTool({ name: 't', input: 'q: ', execute: () => 1 }),
    outcome: configError(/tool "t"/, /input: Invalid signature/),
  },
  // unknown agents, routers and tools
  {
    kind: 'run',
    name: 'an unknown start agent',
    agents: () => [echo()],
    startAgent: 'ghost',
    input: { x: '1' },
    ...both({ name: 'UnknownAgentError', code: 'UNKNOWN_AGENT', mentions: [/Unknown start agent "ghost" \(known agents: a\)/] }),
  },
  {
    kind: 'run',
    name: 'a hand-off to an unknown agent',
    agents: () => [echo({ next: 'ghost' })],
    input: { x: '1' },
    ...both(configError(/agents\[0\].next: hand-off from "a" to unknown agent "ghost"/)),
  },
  {
    kind: 'run',
    name: 'a next function naming an unknown agent',
    agents: () => [echo({ next: () => 'ghost' })],
    input: { x: '1' },
    ...inRun('UnknownAgentError', [/Unknown hand-off from "a" to agent "ghost" \(known agents: a\)/], 'UNKNOWN_AGENT'),
  },
  {
    kind: 'run',
    name: 'an unregistered router',
    agents: () => [echo({ next: { router: 'nope' } })],
    input: { x: '1' },
    ...both(configError(/agents\[0\].next.router: unknown router "nope"/)),
  },
  { kind: 'run', name: 'an unregistered tool', agents: () => [echo({ tools: ['nope'] })], input: { x: '1' }, ...both(configError(/agents\[0\].tools\[0\]: unknown tool "nope"/)) },
  // inputs that do not match the signature
  {
    kind: 'run',
    name: 'a missing input field',
    agents: () => [echo()],
    input: {},
    ...inRun('AgentInputValidationError', [/Agent "a" received invalid input "x"/, /expected string, received undefined/]),
  },
  {
    kind: 'run',
    name: 'an input of the wrong type',
    agents: () => [echo()],
    input: { x: 5 },
    ...inRun('AgentInputValidationError', [/invalid input "x": x: Invalid input: expected string, received number/]),
  },
  {
    kind: 'run',
    name: 'an input outside its literal choices',
    agents: () => [echo({ input: "x: 'red' | 'blue'" })],
    input: { x: 'green' },
    ...inRun('AgentInputValidationError', [/invalid input "x"/, /expected one of "red"\|"blue"/]),
  },
  {
    kind: 'run',
    name: 'a BigInt where a number belongs',
    agents: () => [echo({ input: 'x: number' })],
    input: { x: 10n },
    ...inRun('AgentInputValidationError', [/expected number, received bigint/]),
  },
  {
    kind: 'run',
    name: 'a run input that is not an object',
    agents: () => [echo()],
    input: 'hello',
    ...both(configError(/Invalid run request/, /input: the run input must be an object/)),
  },
  // values that cannot be serialized: refused alike on both executors, so what runs locally runs durably
  {
    kind: 'run',
    name: 'a function in the run input',
    agents: () => [echo({ input: 'x: unknown' })],
    input: { x: () => 1 },
    ...both(configError(/Invalid run request/, /input.x: a function \(x\) is not serializable/, /registered by name/)),
  },
  {
    kind: 'run',
    name: 'a symbol in the run input',
    agents: () => [echo({ input: 'x: unknown' })],
    input: { x: Symbol('s') },
    ...both(configError(/input.x: a symbol \(s\) is not serializable/)),
  },
  {
    kind: 'run',
    name: 'a function in a step output',
    agents: () => [echo({ output: 'y: unknown', evaluate: () => ({ y: () => 1 }) })],
    input: { x: '1' },
    ...inRun('SerializationError', [/Agent "a" produced a value a Temporal run cannot store: output.y: a function/]),
  },
  {
    kind: 'run',
    name: 'a class instance in a step output',
    agents: () => [echo({ output: 'y: unknown', evaluate: () => ({ y: new (class Socket {})() }) })],
    input: { x: '1' },
    ...inRun('SerializationError', [/output.y: an instance of Socket is not serializable/]),
  },
  // values the workflow could not decode, or that would blow the stack: refused where they are made, naming the path, never retried
  {
    kind: 'run',
    name: 'a Buffer in the run input',
    agents: () => [echo({ input: 'x: unknown' })],
    input: { x: Buffer.from('bytes') },
    ...both(configError(/Invalid run request/, /input.x: a Buffer is not storable/, /new Uint8Array\(buf\)/)),
  },
  {
    kind: 'run',
    name: 'a run input nested 5,000 levels deep',
    agents: () => [echo({ input: 'x: unknown' })],
    input: { x: nested(5_000) },
    ...both(configError(/input.x.c.c.c.*…: nested deeper than 100 levels/)),
  },
  {
    kind: 'run',
    name: 'a __proto__ key in the run input',
    agents: () => [echo({ input: 'x: unknown' })],
    input: { x: JSON.parse('{"__proto__": {"admin": true}}') },
    ...both(configError(/input.x.__proto__: the key "__proto__" is not storable/)),
  },
  {
    kind: 'run',
    name: 'a Buffer in a step output',
    agents: () => [echo({ output: 'y: unknown', evaluate: counted('buffer-output', () => ({ y: { data: Buffer.from('bytes') } })) })],
    input: { x: '1' },
    notRetried: 'buffer-output',
    ...inRun('SerializationError', [/Agent "a" produced a value a Temporal run cannot store: output.y.data: a Buffer is not storable/, /new Uint8Array\(buf\)/]),
  },
  {
    kind: 'run',
    name: 'a Buffer in a variable',
    agents: () => [echo({ evaluate: counted('buffer-variable', (_i, ctx) => (ctx.setVariable('file', Buffer.from('bytes')), { y: '1' })) })],
    input: { x: '1' },
    notRetried: 'buffer-variable',
    ...inRun('SerializationError', [/variables.file: a Buffer is not storable/]),
  },
  {
    kind: 'run',
    name: 'a step output nested 5,000 levels deep',
    agents: () => [echo({ output: 'y: unknown', evaluate: counted('deep-output', () => ({ y: nested(5_000) })) })],
    input: { x: '1' },
    notRetried: 'deep-output',
    ...inRun('SerializationError', [/output.y.c.c.c.*…: nested deeper than 100 levels/]),
  },
  ...(['__proto__', 'constructor', 'prototype'] as const).map((key): RunCase => ({
    kind: 'run',
    name: `a ${key} key in a step output`,
    agents: () => [echo({ output: 'y: unknown', evaluate: counted(`${key}-output`, () => ({ y: [JSON.parse(`{"ok": 1, "${key}": {"admin": true}}`)] })) })],
    input: { x: '1' },
    notRetried: `${key}-output`,
    ...inRun('SerializationError', [new RegExp(`output\\.y\\[0\\]\\.${key}: the key "${key}" is not storable`)]),
  })),
  {
    kind: 'run',
    name: 'a variable named __proto__',
    agents: () => [echo({ evaluate: counted('proto-variable', (_i, ctx) => (ctx.setVariable('__proto__', { admin: true }), { y: '1' })) })],
    input: { x: '1' },
    notRetried: 'proto-variable',
    ...inRun('SerializationError', [/variables.__proto__: the key "__proto__" is not storable/]),
  },
  // inputs and outputs beyond Temporal's payload limit
  {
    kind: 'run',
    name: 'a run input beyond the payload limit',
    agents: () => [echo()],
    input: { x: 'x'.repeat(2_100_000) },
    local: 'succeeds',
    temporal: {
      name: 'PayloadTooLargeError',
      code: 'PAYLOAD_TOO_LARGE',
      mentions: [/Input of a run of flock ".*" starting at agent "a" is \d+ bytes, over the limit/, /by reference/],
    },
  },
  {
    kind: 'run',
    name: 'a step output beyond the payload limit',
    agents: () => [echo({ evaluate: () => ({ y: 'y'.repeat(2_100_000) }) })],
    input: { x: '1' },
    local: 'succeeds',
    temporal: inRun('PayloadTooLargeError', [/Output of agent "a" is \d+ bytes, over the limit of \d+ bytes/], 'PAYLOAD_TOO_LARGE').temporal,
  },
  {
    kind: 'run',
    name: 'a definition too large for the memo',
    agents: () => [echo({ settings: { examples: 'e'.repeat(300_000) } })],
    input: { x: '1' },
    local: 'succeeds',
    temporal: { name: 'PayloadTooLargeError', code: 'PAYLOAD_TOO_LARGE', mentions: [/Flock memo of ".*" is \d+ bytes, over the limit of 262144 bytes/] },
  },
  // cyclic hand-offs
  {
    kind: 'run',
    name: 'a ping-pong hand-off cycle',
    agents: () => [
      echo({ name: 'ping', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }), next: 'pong' }),
      echo({ name: 'pong', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }), next: 'ping' }),
    ],
    flock: { maxIterations: 3 },
    startAgent: 'ping',
    input: { x: 'ball' },
    ...both({
      name: 'FlockRunFailedError',
      code: 'MAX_ITERATIONS_EXCEEDED',
      failureType: 'MaxIterationsExceededError',
      agent: 'pong',
      mentions: [/reached maxIterations \(3\) before agent "pong"/, /cycle: pong -> ping -> pong/],
    }),
  },
  {
    kind: 'run',
    name: 'an agent handing off to itself',
    agents: () => [echo({ input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }), next: 'a' })],
    flock: { maxIterations: 2 },
    input: { x: 'loop' },
    ...both({ name: 'FlockRunFailedError', code: 'MAX_ITERATIONS_EXCEEDED', agent: 'a', mentions: [/maxIterations \(2\)/, /a -> a/] }),
  },
  // throwing tools
  {
    kind: 'run',
    name: 'a tool that throws',
    agents: () => [
      echo({
        tools: [
          defineTool({
            name: 'boom',
            input: 'q: string',
            execute: () => {
              throw new Error('tool exploded');
            },
          }),
        ],
        evaluate: async (_inputs, ctx) => ({ y: String(await ctx.callTool('boom', { q: 'x' })) }),
      }),
    ],
    input: { x: '1' },
    ...inRun('ToolError', [/Tool "boom" called by agent "a" failed: tool exploded/], 'AGENT_FAILED', 'Error'),
  },
  {
    kind: 'run',
    name: 'a tool called with invalid arguments',
    agents: () => [
      echo({
        tools: [defineTool({ name: 'lookup', input: 'q: string', execute: () => 1 })],
        evaluate: async (_inputs, ctx) => ({ y: String(await ctx.callTool('lookup', { q: 5 })) }),
      }),
    ],
    input: { x: '1' },
    ...inRun('ToolError', [/Tool "lookup" called by agent "a" got invalid argument "q"/]),
  },
  {
    kind: 'run',
    name: 'a tool the agent may not use',
    flock: { tools: [defineTool({ name: 'other', input: 'q: string', execute: () => 1 })] },
    agents: () => [echo({ evaluate: async (_inputs, ctx) => ({ y: String(await ctx.callTool('other', { q: 'x' })) }) })],
    input: { x: '1' },
    ...inRun('ToolError', [/Tool "other" called by agent "a" is not one of the agent's tools/]),
  },
  // throwing components
  {
    kind: 'run',
    name: 'a component that throws before evaluation',
    agents: () => [
      echo({
        components: [
          {
            name: 'guard',
            onPreEvaluate: () => {
              throw new Error('guard refused');
            },
          },
        ],
      }),
    ],
    input: { x: '1' },
    ...inRun('ComponentError', [/Component "guard" of agent "a" failed in onPreEvaluate: Error: guard refused/], 'AGENT_FAILED', 'Error'),
  },
  {
    kind: 'run',
    name: 'a component that throws on initialize',
    agents: () => [
      echo({
        components: [
          {
            name: 'setup',
            onInitialize: () => {
              throw new TypeError('no config');
            },
          },
        ],
      }),
    ],
    input: { x: '1' },
    ...inRun('ComponentError', [/Component "setup" of agent "a" failed in onInitialize: TypeError: no config/], 'AGENT_FAILED', 'TypeError'),
  },
  {
    kind: 'run',
    name: 'a component that breaks the output',
    agents: () => [echo({ components: [{ name: 'post', onPostEvaluate: () => ({ y: 5 }) }] })],
    input: { x: '1' },
    ...inRun('AgentOutputValidationError', [/Agent "a" returned invalid output "y"/]),
  },
  // routing and evaluation failures
  {
    kind: 'run',
    name: 'a next function that throws',
    agents: () => [
      echo({
        next: () => {
          throw new Error('no route');
        },
      }),
    ],
    input: { x: '1' },
    ...inRun('RoutingError', [/Routing after agent "a" \(next function\) failed: no route/], 'AGENT_FAILED', 'Error'),
  },
  {
    kind: 'run',
    name: 'a router that throws',
    routers: () => [
      defineRouter({
        name: 'r',
        route: () => {
          throw new Error('router broke');
        },
      }),
    ],
    agents: () => [echo({ next: { router: 'r' } })],
    input: { x: '1' },
    ...inRun('RoutingError', [/Routing after agent "a" \(router "r"\) failed: router broke/], 'AGENT_FAILED', 'Error'),
  },
  {
    kind: 'run',
    name: 'an evaluator returning a string',
    agents: () => [echo({ evaluate: () => 'plain' as never })],
    input: { x: '1' },
    ...inRun('AgentOutputValidationError', [/returned invalid output "\(root\)"/, /expected object, received string/]),
  },
  {
    kind: 'run',
    name: 'an evaluator throwing a string',
    agents: () => [
      echo({
        evaluate: () => {
          throw 'plain string';
        },
      }),
    ],
    input: { x: '1' },
    ...inRun('AgentExecutionError', [/Agent "a" failed: string: plain string/], 'AGENT_FAILED', 'string'),
  },
];

const server = testServer();
const queue = uniqueQueue('bad-input');
const suffix = queue.slice(-8);
const runCases = cases.filter((c): c is RunCase => c.kind === 'run');

function buildFlock(c: RunCase, mode: Mode, index: number): Flock {
  const flock = new Flock({
    name: `bad-${index}-${mode}-${suffix}`,
    ...c.flock,
    ...(mode === 'temporal'
      ? {
          executor: temporal(),
          temporalStartInProcessWorker: false,
          // one attempt: the errors under test are not transient (three where the case proves that nothing retries them)
          temporalConfig: {
            serverUrl: server.address,
            namespace: server.namespace,
            taskQueue: queue,
            activityDefaults: c.notRetried ? { retryMaxAttempts: 3, retryInitialIntervalSeconds: 1 } : { retryMaxAttempts: 1 },
          },
        }
      : {}),
  });
  for (const router of c.routers?.() ?? []) flock.registerRouter(router);
  for (const agent of c.agents()) flock.addAgent(agent);
  return flock;
}

/** Flocks are built before the worker starts: it hosts them all. Some are invalid on purpose; run() reports that. */
const temporalFlocks = new Map<RunCase, Flock>();
runCases.forEach((c, index) => {
  if (c.temporal) temporalFlocks.set(c, buildFlock(c, 'temporal', index));
});

function goodFlock(name: string, mode: Mode): Flock {
  return new Flock({
    name: `${name}-${suffix}`,
    ...(mode === 'temporal'
      ? { executor: temporal(), temporalStartInProcessWorker: false, temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue } }
      : {}),
    agents: [
      {
        name: 'nap',
        input: 'ms: integer',
        output: 'slept: integer',
        evaluate: async ({ ms }) => {
          await new Promise((resolve) => setTimeout(resolve, ms as number));
          return { slept: ms as number };
        },
        next: 'wake',
      },
      { name: 'wake', input: 'slept: integer', output: 'message: string', evaluate: ({ slept }) => ({ message: `slept ${slept} ms` }) },
    ],
  });
}

const goodTemporal = goodFlock('good-temporal', 'temporal');
let worker: FlockWorker;
let during: Promise<RunResult[]>;

beforeAll(async () => {
  worker = await createFlockWorker({
    connection: resolveConnection({ serverUrl: server.address, namespace: server.namespace }, isolatedEnv()),
    flocks: [...temporalFlocks.values(), goodTemporal],
    taskQueue: queue,
  });
  void worker.run();
  await worker.polling();
  // good runs in flight while the bad ones fail around them
  during = Promise.all([1, 2, 3].map((i) => goodTemporal.run({ startAgent: 'nap', input: { ms: 1500 + i * 100 } })));
  during.catch(() => undefined);
});

afterAll(async () => {
  await worker?.shutdown();
  if (process.env['FLOCK_BAD_INPUT_TIMINGS']) console.log(`Temporal runs ended after:\n${failedAfter.join('\n')}`);
});

/** How long each Temporal run case took to end (FLOCK_BAD_INPUT_TIMINGS=1 prints them). */
const failedAfter: string[] = [];

/** Evaluations of a case's (counted) evaluator on one executor. */
function evaluationsOf(c: RunCase, mode: Mode): number {
  return evaluations.get(`${c.notRetried}/${mode}`) ?? 0;
}

/** Failure types along the cause chain, with the error names activities keep in failure details. */
function chainTypes(error: unknown): string[] {
  const types: string[] = [];
  type Link = { cause?: unknown; type?: string; details?: Array<{ errorName?: string; causeType?: string }> };
  for (let e = error as Link | undefined; e; e = e.cause as Link | undefined) {
    if (e.type) types.push(e.type);
    for (const detail of Array.isArray(e.details) ? e.details : []) {
      if (detail?.errorName) types.push(detail.errorName);
      if (detail?.causeType) types.push(detail.causeType);
    }
  }
  return types;
}

async function outcomeOf(attempt: () => unknown): Promise<{ error?: Error & Record<string, unknown>; value?: unknown }> {
  try {
    return { value: await attempt() };
  } catch (error) {
    return { error: error as Error & Record<string, unknown> };
  }
}

function expectOutcome(error: (Error & Record<string, unknown>) | undefined, expected: Outcome): void {
  expect(error).toBeDefined();
  const e = error as Error & Record<string, unknown>;
  expect(e.name).toBe(expected.name);
  if (expected.code) expect(e['code']).toBe(expected.code);
  if (expected.failureType) expect(e['failureType']).toBe(expected.failureType);
  if (expected.causeType) expect(e['causeType']).toBe(expected.causeType);
  if (expected.agent) expect(e['agent']).toBe(expected.agent);
  for (const type of expected.chain ?? []) expect(chainTypes(e)).toContain(type);
  for (const mention of expected.mentions) expect(e.message).toMatch(mention);
}

describe('bad input corpus', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(cases.filter((c): c is DefineCase => c.kind === 'define').map((c) => [c.name, c] as const))('declaring %s', (_name, c) => {
    it('throws a named error saying what and where', async () => {
      const { error } = await outcomeOf(c.define);
      expectOutcome(error, c.outcome);
    });
  });

  describe.each(runCases.filter((c) => c.local).map((c) => [c.name, c] as const))('running %s locally', (_name, c) => {
    it(c.local === 'succeeds' ? 'works: nothing is serialized in-process' : 'fails with a named error saying what and where', async () => {
      const flock = buildFlock(c, 'local', runCases.indexOf(c));
      const { error, value } = await outcomeOf(() => flock.run({ startAgent: c.startAgent ?? 'a', input: c.input as Record<string, unknown> }));
      if (c.local === 'succeeds') {
        expect(error).toBeUndefined();
        expect((value as RunResult).lastAgent).toBe(c.startAgent ?? 'a');
      } else {
        expectOutcome(error, c.local as Outcome);
      }
      if (c.notRetried) expect(evaluationsOf(c, 'local')).toBe(1);
    });
  });

  describe.each(runCases.filter((c) => c.temporal).map((c) => [c.name, c] as const))('running %s on Temporal', (_name, c) => {
    it('fails with a named error saying what and where', async () => {
      const flock = temporalFlocks.get(c) as Flock;
      const started = Date.now();
      const { error } = await outcomeOf(() => flock.run({ startAgent: c.startAgent ?? 'a', input: c.input as Record<string, unknown> }));
      const elapsed = Date.now() - started;
      failedAfter.push(`${c.name}: ${elapsed} ms`);
      expectOutcome(error, c.temporal as Outcome);
      if (c.notRetried) {
        expect(evaluationsOf(c, 'temporal')).toBe(1);
        expect(elapsed).toBeLessThan(QUICK_FAILURE_MS);
      }
    });
  });

  describe('afterwards', () => {
    it('the worker still runs and finished the good runs that were in flight', async () => {
      const results = await during;
      expect(results.map((r) => r.output)).toEqual([{ message: 'slept 1600 ms' }, { message: 'slept 1700 ms' }, { message: 'slept 1800 ms' }]);
      expect(worker.worker.getState()).toBe('RUNNING');
    });

    it('a new good run completes on both executors', async () => {
      const [local, temporal] = await Promise.all([
        goodFlock('good-local', 'local').run({ startAgent: 'nap', input: { ms: 1 } }),
        goodTemporal.run({ startAgent: 'nap', input: { ms: 1 } }),
      ]);
      expect(local.output).toEqual({ message: 'slept 1 ms' });
      expect(temporal.output).toEqual(local.output);
    });
  });
});
