import { invokeTool, type AgentContext, type Tool as CoreTool } from '@flock-ts/core';
import { jsonSchema, tool, type ToolSet } from 'ai';

// Providers want the schema itself; some reject the `$schema` marker.
function withoutMetaSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _meta, ...rest } = schema;
  return rest;
}

/** The JSON Schema of a tool's arguments as providers want it. */
export function toolInputSchema(coreTool: CoreTool) {
  return jsonSchema<Record<string, unknown>>(withoutMetaSchema(coreTool.jsonSchema()) as Parameters<typeof jsonSchema>[0]);
}

/** The AI SDK tools of one agent step, and what happened to them. */
export interface StepTools {
  tools: ToolSet;
  /** Tool calls made so far (refused ones excluded). */
  calls(): number;
  /** The first `ToolError` a tool raised: it fails the step, as with code evaluators. */
  failure(): unknown;
}

/**
 * Wraps an agent's core tools as AI SDK tools. Each call goes through core's
 * `invokeTool` (arguments validated against the tool's signature, failures
 * named `ToolError` with tool and agent), at most `maxCalls` times: past the
 * budget a call is refused and the model is told to answer. A `ToolError`
 * aborts the loop through `abort` so it fails the step instead of being
 * argued with.
 *
 * @example
 * const { tools } = toStepTools(request.tools, ctx, { maxCalls: 5, abort: () => controller.abort() });
 */
export function toStepTools(coreTools: readonly CoreTool[], context: AgentContext, options: { maxCalls: number; abort: () => void }): StepTools {
  let calls = 0;
  let failure: unknown;
  const tools: ToolSet = {};
  for (const coreTool of coreTools) {
    tools[coreTool.name] = tool({
      description: coreTool.description || undefined,
      // core validates the arguments, so its ToolError (not the SDK's) reports bad ones
      inputSchema: toolInputSchema(coreTool),
      execute: async (args: Record<string, unknown>) => {
        if (calls >= options.maxCalls) {
          throw new Error(`the budget of ${options.maxCalls} tool calls is spent: answer with what you have`);
        }
        calls += 1;
        context.heartbeat({ agent: context.agentName, tool: coreTool.name, call: calls });
        try {
          const result = await invokeTool(coreTool, args, context.forToolCall(calls));
          return result === undefined ? null : result;
        } catch (error) {
          failure ??= error;
          options.abort();
          throw error;
        }
      },
    });
  }
  return { tools, calls: () => calls, failure: () => failure };
}
