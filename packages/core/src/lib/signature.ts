import { parseSignature, signatureToZod, type ConfigIssue, type SignatureSpec } from '@flock-ts/config';
import { z } from 'zod';
import type { SignatureValues } from './signature-types';

export type { SignatureValues } from './signature-types';

/**
 * An input or output signature in code: the string syntax of
 * `@flock-ts/config`, or a zod object. Both type the values they describe
 * ({@link InferSignature}).
 *
 * Other Standard Schema libraries are not accepted: a signature must give
 * a flock its field names (inputs are resolved by name from earlier
 * outputs), a JSON Schema for the definition a run stores (workers and
 * models read it), and synchronous validation inside the run loop.
 * Standard Schema's `~standard.validate` may be asynchronous and carries
 * none of the other two, so a zod object stands in for any schema.
 */
export type SignatureInput = string | z.ZodObject;

/**
 * The values a signature describes, as seen by the code that receives them:
 * a zod object's output type, the fields of a signature string
 * ({@link SignatureValues}), `Record<string, unknown>` for anything else.
 */
export type InferSignature<S> = S extends z.ZodObject ? z.output<S> : S extends string ? SignatureValues<S> : Record<string, unknown>;

/** The values a signature accepts, as produced by the code that returns them (a zod object's input type). */
export type InferSignatureInput<S> = S extends z.ZodObject ? z.input<S> : S extends string ? SignatureValues<S> : Record<string, unknown>;

/** A signature ready to validate values. */
export interface CompiledSignature {
  /** What the user wrote. */
  readonly source: SignatureInput;
  readonly schema: z.ZodObject;
  /** Top-level field names, in declaration order. */
  readonly fields: readonly string[];
}

/** True for a zod object schema, also one built by another copy of zod. */
export function isZodObject(value: unknown): value is z.ZodObject {
  if (value instanceof z.ZodObject) return true;
  const def = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod?.def;
  return typeof value === 'object' && value !== null && def?.type === 'object' && typeof (value as z.ZodObject).safeParse === 'function';
}

// Agents often share signature strings; one schema per string lets zod's
// compiled fast path serve all of them. Zod schemas are immutable, so sharing is safe.
const compiled = new Map<string, CompiledSignature>();
const MAX_CACHED = 1000;

/**
 * Compiles a signature, or returns the issue that makes it invalid, located at `path`.
 *
 * @example
 * compileSignature('text: string, limit?: integer', 'input') // => { schema, fields: ['text', 'limit'] }
 */
export function compileSignature(source: unknown, path: string): CompiledSignature | ConfigIssue {
  if (typeof source === 'string') {
    const cached = compiled.get(source);
    if (cached) return cached;
    try {
      const schema = signatureToZod(parseSignature(source));
      const signature: CompiledSignature = { source, schema, fields: Object.keys(schema.shape) };
      if (compiled.size >= MAX_CACHED) compiled.clear();
      compiled.set(source, signature);
      return signature;
    } catch (error) {
      return { path, message: (error as Error).message };
    }
  }
  if (isZodObject(source)) return { source, schema: source, fields: Object.keys(source.shape) };
  return { path, message: 'a signature is a string such as "text: string, limit?: integer" or a zod object (z.object({...}))' };
}

/** The serializable form of a signature: the string as written, or the JSON Schema of a zod object. */
export function signatureSpec(signature: CompiledSignature): SignatureSpec {
  if (typeof signature.source === 'string') return signature.source;
  return { jsonSchema: z.toJSONSchema(signature.schema, { unrepresentable: 'any' }) as Record<string, unknown> };
}
