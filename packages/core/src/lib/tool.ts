import { FlockConfigError, NameSchema, formatPath, type ConfigIssue } from '@flock-ts/config';
import { redactSecretsInText } from '@flock-ts/secrets';
import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { z } from 'zod';
import { ToolError, errorMessage } from './errors';
import type { AgentContext } from './context';
import { compileSignature, type CompiledSignature, type InferSignature, type SignatureInput } from './signature';

const TOOL = Symbol.for('@flock-ts/core/tool');
// A no-op until the host process registers an OpenTelemetry SDK (workers do,
// via @flock-ts/telemetry). Looked up per call: a tracer kept from before a
// (re-)registration would keep writing to the provider it first saw.
const tracer = () => trace.getTracer('@flock-ts/core');

/** How to declare a tool. */
export interface ToolOptions<I extends SignatureInput = SignatureInput> {
  name: string;
  description?: string;
  /** The arguments: signature string or zod object. */
  input: I;
  /** Runs the tool; `ctx` is the calling agent's context. */
  execute(args: InferSignature<I>, ctx: AgentContext): unknown;
}

/** A function agents may call, by name, through `ctx.callTool`. */
export interface Tool {
  readonly [TOOL]: true;
  readonly name: string;
  readonly description: string;
  readonly input: CompiledSignature;
  execute(args: Record<string, unknown>, ctx: AgentContext): unknown;
  /** The JSON Schema of the arguments (what a model sees). */
  jsonSchema(): Record<string, unknown>;
}

/** True for a value made by {@link defineTool}. */
export function isTool(value: unknown): value is Tool {
  return typeof value === 'object' && value !== null && (value as { [TOOL]?: unknown })[TOOL] === true;
}

/**
 * Declares a tool. Validates eagerly: a bad name or signature throws a
 * `FlockConfigError` naming the field.
 *
 * @example
 * const wordCount = defineTool({
 *   name: 'wordCount',
 *   description: 'Counts the words of a text',
 *   input: 'text: string',
 *   execute: ({ text }) => String(text).split(/\s+/).filter(Boolean).length,
 * });
 */
export function defineTool<I extends SignatureInput>(options: ToolOptions<I>): Tool {
  const issues: ConfigIssue[] = [];
  const name = NameSchema.safeParse(options?.name);
  if (!name.success) issues.push({ path: 'name', message: name.error.issues[0].message });
  if (options?.description !== undefined && typeof options.description !== 'string') {
    issues.push({ path: 'description', message: 'description must be a string' });
  }
  const input = compileSignature(options?.input, 'input');
  if ('path' in input) issues.push(input);
  if (typeof options?.execute !== 'function') issues.push({ path: 'execute', message: 'execute must be a function (args, ctx) => result' });
  if (issues.length || 'path' in input) {
    throw new FlockConfigError(name.success ? `tool "${name.data}"` : 'tool', issues);
  }
  let jsonSchema: Record<string, unknown> | undefined;
  return {
    [TOOL]: true,
    name: options.name,
    description: options.description ?? '',
    input,
    execute: options.execute as Tool['execute'],
    jsonSchema: () => (jsonSchema ??= z.toJSONSchema(input.schema, { unrepresentable: 'any' }) as Record<string, unknown>),
  };
}

/**
 * Validates the arguments and runs a tool. Every failure is a `ToolError`
 * naming the tool and the agent; an abort rejects with the signal's reason.
 * The call is an OpenTelemetry span `flock.tool.call` (tool, agent, flock
 * and run; never the arguments), a child of the step's span on a worker.
 *
 * @example
 * const count = await invokeTool(wordCount, { text: 'a b c' }, ctx); // => 3
 */
export async function invokeTool(tool: Tool, args: unknown, ctx: AgentContext): Promise<unknown> {
  return tracer().startActiveSpan('flock.tool.call', { attributes: toolSpanAttributes(tool, ctx) }, async (span) => {
    try {
      return await runTool(tool, args, ctx);
    } catch (error) {
      // spans leave the process: credentials in a tool's error are cut out
      const message = redactSecretsInText(errorMessage(error));
      const stack = (error as Error | undefined)?.stack;
      span.recordException({ name: (error as Error | undefined)?.name ?? 'Error', message, ...(stack ? { stack: redactSecretsInText(stack) } : {}) });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      span.end();
    }
  });
}

async function runTool(tool: Tool, args: unknown, ctx: AgentContext): Promise<unknown> {
  const parsed = tool.input.schema.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = formatPath(issue.path);
    throw new ToolError(tool.name, ctx.agentName, 'invalid-args', `got invalid argument "${field || '(root)'}": ${issue.message}`);
  }
  try {
    return await tool.execute(parsed.data, ctx);
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    throw new ToolError(tool.name, ctx.agentName, 'failed', `failed: ${errorMessage(error)}`, error);
  }
}

// Names and ids only: tool arguments and results are user data and stay out of spans.
function toolSpanAttributes(tool: Tool, ctx: AgentContext): Attributes {
  return {
    'flock.tool.name': tool.name,
    'gen_ai.tool.name': tool.name,
    'gen_ai.operation.name': 'execute_tool',
    'flock.agent': ctx.agentName,
    'flock.name': ctx.flockName,
    'flock.run_id': ctx.runId,
  };
}
