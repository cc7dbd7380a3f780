import { z } from 'zod';
import { parseSignature, type FieldType, type SignatureField } from './signature-syntax';

export * from './signature-syntax';

/** Builds the zod schema of one field type. */
export function fieldTypeToZod(type: FieldType): z.ZodType {
  switch (type.kind) {
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'integer':
      return z.int();
    case 'boolean':
      return z.boolean();
    case 'unknown':
      return z.unknown();
    case 'literal':
      return z.enum(type.values as [string, ...string[]]);
    case 'array':
      return z.array(fieldTypeToZod(type.items));
    case 'object':
      return signatureToZod(type.fields);
  }
}

/**
 * Builds a zod object schema from signature fields, descriptions included
 * (they become the JSON Schema `description` a model sees).
 *
 * @example
 * signatureToZod(parseSignature('summary: string, sources: string[]')).parse(value)
 */
export function signatureToZod(fields: readonly SignatureField[]): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const field of fields) {
    let schema = fieldTypeToZod(field.type);
    if (field.description) schema = schema.describe(field.description);
    shape[field.name] = field.optional ? schema.optional() : schema;
  }
  return z.object(shape);
}

// Built once per signature and reused (zod schemas are immutable); bounded.
const schemaCache = new Map<string, z.ZodType>();
const MAX_CACHED_SCHEMAS = 500;

/**
 * The zod schema that validates values of a serialized signature: the
 * string syntax, or a JSON Schema (`{ jsonSchema }`). Sandbox-safe, so a
 * workflow's update validator can check a person's answer before it
 * enters history.
 *
 * @example
 * signatureSchema('approved: boolean, note?: string').safeParse({ approved: true })
 */
export function signatureSchema(spec: string | { jsonSchema: Record<string, unknown> }): z.ZodType {
  const key = typeof spec === 'string' ? spec : JSON.stringify(spec.jsonSchema);
  let schema = schemaCache.get(key);
  if (!schema) {
    schema = typeof spec === 'string' ? signatureToZod(parseSignature(spec)) : z.fromJSONSchema(spec.jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
    if (schemaCache.size >= MAX_CACHED_SCHEMAS) schemaCache.clear();
    schemaCache.set(key, schema);
  }
  return schema;
}

/**
 * The JSON Schema of a serialized signature: a JSON Schema signature as
 * is, the string syntax converted (field descriptions, enums, optional
 * fields left out of `required`).
 *
 * @example
 * signatureJsonSchema("tone: 'calm' | 'loud', note?: string") // => { type: 'object', properties: {...}, required: ['tone'], ... }
 */
export function signatureJsonSchema(spec: string | { jsonSchema: Record<string, unknown> }): Record<string, unknown> {
  return typeof spec === 'string' ? (z.toJSONSchema(signatureSchema(spec)) as Record<string, unknown>) : spec.jsonSchema;
}
