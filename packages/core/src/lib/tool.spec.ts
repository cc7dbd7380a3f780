import { z } from 'zod';
import { defineAgent } from './agent';
import { AgentContext } from './context';
import type { ToolError } from './errors';
import { Flock } from './flock';
import { defineTool, invokeTool, isTool } from './tool';

const add = defineTool({ name: 'add', description: 'Adds', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
const broken = defineTool({
  name: 'broken',
  input: '',
  execute: () => {
    throw new RangeError('out of range');
  },
});
const agent = defineAgent({ name: 'calc', input: '', output: 'sum: number', evaluate: () => ({ sum: 0 }), tools: [add, broken] });
const flock = new Flock({ name: 'tools', agents: [agent] });
const ctx = new AgentContext({ flock, agent, view: { runId: 'r', flockName: 'tools', step: 0, variables: {} } });

async function rejection(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    return error as ToolError;
  }
  throw new Error('expected a rejection');
}

describe('defineTool', () => {
  it('makes a tool with the JSON Schema of its arguments', () => {
    expect(isTool(add)).toBe(true);
    expect(add.jsonSchema()).toEqual(expect.objectContaining({ type: 'object', required: ['a', 'b'] }));
  });

  it('rejects a bad name and a missing execute', () => {
    expect(() => defineTool({ name: 'no spaces', input: '' } as never)).toThrow(/name[\s\S]*execute/);
  });
});

describe('invokeTool', () => {
  it('runs the tool with validated arguments', async () => {
    await expect(invokeTool(add, { a: 2, b: 3 }, ctx)).resolves.toBe(5);
  });

  it('rejects invalid arguments with a ToolError naming tool, agent and field', async () => {
    const error = await rejection(invokeTool(add, { a: 2, b: 'x' }, ctx));
    expect(error.name).toBe('ToolError');
    expect(error.reason).toBe('invalid-args');
    expect(error.message).toContain('Tool "add" called by agent "calc" got invalid argument "b"');
  });

  it('wraps a throwing tool in a ToolError that keeps the cause name', async () => {
    const error = await rejection(invokeTool(broken, {}, ctx));
    expect(error.reason).toBe('failed');
    expect(error.causeName).toBe('RangeError');
    expect(error.message).toBe('Tool "broken" called by agent "calc" failed: out of range');
  });
});
