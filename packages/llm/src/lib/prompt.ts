import type { Agent } from '@flock-ts/core';
import { z } from 'zod';
import type { JsonSchemaNode } from './output-schema';

function isNode(value: unknown): value is JsonSchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A short type of a JSON Schema node in the signature syntax: `string`,
 * `integer[]`, `'low' | 'high'`, `{ title: string, score?: number }`.
 *
 * @example
 * typeOf({ type: 'array', items: { type: 'string' } }) // => 'string[]'
 */
export function typeOf(node: JsonSchemaNode): string {
  if (Array.isArray(node.enum)) return node.enum.map((value) => JSON.stringify(value).replace(/"/g, "'")).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const).replace(/"/g, "'");
  if (Array.isArray(node.anyOf)) return node.anyOf.map((option) => (isNode(option) ? typeOf(option) : 'unknown')).join(' | ');
  const type = Array.isArray(node.type) ? node.type.join(' | ') : node.type;
  if (type === 'array') {
    const items = isNode(node.items) ? typeOf(node.items) : 'unknown';
    return /[ |]/.test(items) && !items.startsWith('{') ? `(${items})[]` : `${items}[]`;
  }
  if (type === 'object' && isNode(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    const fields = Object.entries(node.properties).map(([name, child]) => `${name}${required.has(name) ? '' : '?'}: ${isNode(child) ? typeOf(child) : 'unknown'}`);
    return `{ ${fields.join(', ')} }`;
  }
  return typeof type === 'string' ? type : 'unknown';
}

/** One line per field: `- name (type): description`. */
export function describeFields(schema: JsonSchemaNode): string[] {
  if (!isNode(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).map(([name, child]) => {
    const node = isNode(child) ? child : {};
    const optional = required.has(name) ? '' : ', optional';
    const description = typeof node.description === 'string' && node.description ? `: ${node.description}` : '';
    return `- ${name} (${typeOf(node)}${optional})${description}`;
  });
}

function inputSchemaOf(agent: Agent): JsonSchemaNode {
  return z.toJSONSchema(agent.input.schema, { unrepresentable: 'any' }) as JsonSchemaNode;
}

/**
 * The system prompt of a model-backed agent: who it is, its instructions,
 * and the output fields with their types and descriptions.
 *
 * @example
 * renderSystemPrompt(agent, { flockName: 'docs', outputSchema, instructions: 'Be brief.' })
 */
export function renderSystemPrompt(agent: Agent, options: { flockName: string; outputSchema: JsonSchemaNode; instructions?: string; hasTools?: boolean }): string {
  const lines = [`You are "${agent.name}", an agent of the flock "${options.flockName}".`];
  if (agent.description) lines.push(`Your job: ${agent.description}`);
  if (options.instructions) lines.push('', options.instructions.trim());
  if (options.hasTools) lines.push('', 'Call the tools you are given when they help; then answer.');
  lines.push('', 'Answer with a single JSON object with these fields:', ...describeFields(options.outputSchema));
  return lines.join('\n');
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? String(value);
}

/**
 * The user message of a model-backed agent: each input field under a heading
 * that gives its type and description, absent optional inputs left out.
 *
 * @example
 * renderInputs(agent, { text: 'Temporal makes runs durable.' })
 * // => '## text (string): the text to summarize\nTemporal makes runs durable.'
 */
export function renderInputs(agent: Agent, inputs: Record<string, unknown>): string {
  const schema = inputSchemaOf(agent);
  const properties = isNode(schema.properties) ? schema.properties : {};
  const blocks: string[] = [];
  for (const name of agent.input.fields) {
    if (inputs[name] === undefined) continue;
    const node = isNode(properties[name]) ? (properties[name] as JsonSchemaNode) : {};
    const description = typeof node.description === 'string' && node.description ? `: ${node.description}` : '';
    blocks.push(`## ${name} (${typeOf(node)})${description}\n${renderValue(inputs[name])}`);
  }
  return blocks.length ? blocks.join('\n\n') : '(no inputs)';
}
