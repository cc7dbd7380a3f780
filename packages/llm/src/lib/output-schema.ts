import { z } from 'zod';

/** A JSON Schema node, loosely typed. */
export type JsonSchemaNode = Record<string, unknown>;

/** The schema a model is asked to fill, derived from an agent's output signature. */
export interface ModelOutputSchema {
  /** What the model sees: every property required, optional ones nullable. */
  jsonSchema: JsonSchemaNode;
  /** The signature's own JSON Schema (optional properties not required). */
  original: JsonSchemaNode;
  /** True when the schema fits OpenAI's strict structured outputs. */
  strict: boolean;
  /** The signature's zod schema: answers are validated against it. */
  schema: z.ZodObject;
}

// Keywords OpenAI's strict mode accepts; any other keyword turns strict mode off.
const STRICT_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'description',
  'title',
  'anyOf',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'pattern',
  'format',
]);
const SAFE_INT = Number.MAX_SAFE_INTEGER;

function isNode(value: unknown): value is JsonSchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nullable(node: JsonSchemaNode): JsonSchemaNode {
  if (Array.isArray(node.enum)) return { ...node, type: ['string', 'null'], enum: [...node.enum, null] };
  if (typeof node.type === 'string') return { ...node, type: [node.type, 'null'] };
  return { anyOf: [node, { type: 'null' }] };
}

/** Returns the model-facing copy of a node and whether it stays strict-compatible. */
function forModel(node: JsonSchemaNode): { node: JsonSchemaNode; strict: boolean } {
  const out: JsonSchemaNode = {};
  let strict = Object.keys(node).length > 0;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    // zod writes the safe-integer range on every integer; it only adds noise to the prompt
    if ((key === 'minimum' && value === -SAFE_INT) || (key === 'maximum' && value === SAFE_INT)) continue;
    if (!STRICT_KEYWORDS.has(key)) strict = false;
    out[key] = value;
  }
  if (isNode(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    const properties: JsonSchemaNode = {};
    for (const [name, child] of Object.entries(node.properties)) {
      const converted = isNode(child) ? forModel(child) : { node: {}, strict: false };
      strict &&= converted.strict;
      properties[name] = required.has(name) ? converted.node : nullable(converted.node);
    }
    out.properties = properties;
    out.required = Object.keys(properties);
    if (node.additionalProperties === undefined || node.additionalProperties === false) out.additionalProperties = false;
    else strict = false;
  }
  if (isNode(node.items)) {
    const items = forModel(node.items);
    strict &&= items.strict;
    out.items = items.node;
  }
  if (Array.isArray(node.anyOf)) {
    const options = node.anyOf.map((option) => (isNode(option) ? forModel(option) : { node: {}, strict: false }));
    strict &&= options.every((option) => option.strict);
    out.anyOf = options.map((option) => option.node);
  }
  return { node: out, strict };
}

/**
 * The JSON Schema a model fills for an output signature. Optional fields
 * become required-but-nullable (what strict structured outputs demand);
 * {@link restoreOptional} turns those nulls back into absent fields.
 * Descriptions of the signature's fields carry over.
 *
 * @example
 * modelOutputSchema(z.object({ summary: z.string().describe('two sentences'), tags: z.array(z.string()).optional() }))
 */
export function modelOutputSchema(schema: z.ZodObject): ModelOutputSchema {
  const original = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchemaNode;
  const { node, strict } = forModel(original);
  return { jsonSchema: node, original, strict, schema };
}

/**
 * Drops `null` values the model gave for optional fields (it must give every
 * field in strict mode), following the signature's JSON Schema.
 *
 * @example
 * restoreOptional({ summary: 's', tags: null }, original) // => { summary: 's' }
 */
export function restoreOptional(value: unknown, original: JsonSchemaNode): unknown {
  if (Array.isArray(value)) {
    return isNode(original.items) ? value.map((item) => restoreOptional(item, original.items as JsonSchemaNode)) : value;
  }
  if (!isNode(value) || !isNode(original.properties)) return value;
  const required = new Set(Array.isArray(original.required) ? (original.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const child = original.properties[key];
    if (field === null && !required.has(key)) continue;
    out[key] = isNode(child) ? restoreOptional(field, child) : field;
  }
  return out;
}
