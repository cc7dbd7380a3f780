import { SpanStatusCode, trace, type Attributes, type Span, type SpanStatus, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { defineAgent } from './agent';
import { AgentContext } from './context';
import { Flock } from './flock';
import { defineTool, invokeTool } from './tool';

/** The least of a tracer provider that records what spans were made (core depends on the OTel API only). */
function recordingProvider() {
  const spans: Array<{ name: string; attributes: Attributes; status?: SpanStatus; exceptions: unknown[]; ended: boolean }> = [];
  const tracer = {
    startActiveSpan(name: string, options: { attributes?: Attributes }, fn: (span: Span) => unknown) {
      const record = { name, attributes: { ...options.attributes }, status: undefined as SpanStatus | undefined, exceptions: [] as unknown[], ended: false };
      spans.push(record);
      const span = {
        setStatus: (status: SpanStatus) => ((record.status = status), span),
        recordException: (exception: unknown) => void record.exceptions.push(exception),
        end: () => void (record.ended = true),
      } as unknown as Span;
      return fn(span);
    },
  } as unknown as Tracer;
  const provider: TracerProvider = { getTracer: () => tracer };
  return { provider, spans };
}

const echo = defineTool({ name: 'echo', input: 'text: string', execute: ({ text }) => text });
const failing = defineTool({
  name: 'failing',
  input: '',
  execute: () => {
    throw new Error('disk full');
  },
});
const agent = defineAgent({ name: 'writer', input: '', output: '', evaluate: () => ({}), tools: [echo, failing] });
const flock = new Flock({ name: 'spans', agents: [agent] });
const ctx = new AgentContext({ flock, agent, view: { runId: 'run-7', flockName: 'spans', step: 0, variables: {} } });

describe('invokeTool spans', () => {
  let recorded: ReturnType<typeof recordingProvider>;
  beforeEach(() => {
    recorded = recordingProvider();
    trace.setGlobalTracerProvider(recorded.provider);
  });
  afterEach(() => trace.disable());

  it('runs each call in a flock.tool.call span naming tool, agent, flock and run, without the arguments', async () => {
    await expect(invokeTool(echo, { text: 'private words' }, ctx)).resolves.toBe('private words');
    expect(recorded.spans).toEqual([
      {
        name: 'flock.tool.call',
        attributes: {
          'flock.tool.name': 'echo',
          'gen_ai.tool.name': 'echo',
          'gen_ai.operation.name': 'execute_tool',
          'flock.agent': 'writer',
          'flock.name': 'spans',
          'flock.run_id': 'run-7',
        },
        status: undefined,
        exceptions: [],
        ended: true,
      },
    ]);
    expect(JSON.stringify(recorded.spans)).not.toContain('private words');
  });

  it('marks the span failed when the tool throws, and still ends it', async () => {
    await expect(invokeTool(failing, {}, ctx)).rejects.toMatchObject({ name: 'ToolError' });
    expect(recorded.spans[0]).toMatchObject({ status: { code: SpanStatusCode.ERROR, message: expect.stringContaining('disk full') }, ended: true });
    expect(recorded.spans[0].exceptions).toHaveLength(1);
  });

  it('is the span of ctx.callTool too', async () => {
    await ctx.callTool('echo', { text: 'x' });
    expect(recorded.spans.map((s) => s.name)).toEqual(['flock.tool.call']);
  });
});
