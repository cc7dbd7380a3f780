/**
 * What a model agent's step records call by call (`durability: 'call'`)
 * passes between its model calls and tool calls. Plain JSON.
 */

/** A tool call the model asked for. `refused`: not run (the step's tool calls are spent, or the tool is not the agent's); the model is told why. */
export interface PlannedToolCall {
  /** The provider's id of the call. */
  id: string;
  name: string;
  args: unknown;
  refused?: string;
}

/** What a tool call gave back to the model: its result, or the reason it was refused. */
export type ToolCallResult = { id: string; name: string; output: unknown } | { id: string; name: string; refused: string };
