import { z } from 'zod';
import { compileSignature, isZodObject, signatureSpec, type CompiledSignature } from './signature';

function compiled(source: unknown): CompiledSignature {
  const result = compileSignature(source, 'input');
  if ('path' in result) throw new Error(result.message);
  return result;
}

describe('compileSignature', () => {
  it('compiles a signature string into a schema and field list', () => {
    const signature = compiled('text: string, limit?: integer');
    expect(signature.fields).toEqual(['text', 'limit']);
    expect(signature.schema.safeParse({ text: 'x' }).success).toBe(true);
    expect(signature.schema.safeParse({ text: 'x', limit: 1.5 }).success).toBe(false);
  });

  it('takes a zod object as it is', () => {
    const schema = z.object({ a: z.string(), b: z.number() });
    const signature = compiled(schema);
    expect(signature.schema).toBe(schema);
    expect(signature.fields).toEqual(['a', 'b']);
  });

  it('reports a syntax error at the given path', () => {
    const result = compileSignature('text: strng', 'output');
    expect(result).toEqual({ path: 'output', message: expect.stringContaining('unknown type "strng"') });
  });

  it('rejects values that are neither a string nor a zod object', () => {
    expect(compileSignature(42, 'input')).toEqual({ path: 'input', message: expect.stringContaining('zod object') });
    expect(compileSignature(z.string(), 'input')).toEqual({ path: 'input', message: expect.stringContaining('zod object') });
  });

  it('shares one schema between equal signature strings', () => {
    expect(compiled('shared: boolean').schema).toBe(compiled('shared: boolean').schema);
  });
});

describe('signatureSpec', () => {
  it('keeps a signature string as written', () => {
    expect(signatureSpec(compiled('text: string | the text'))).toBe('text: string | the text');
  });

  it('turns a zod object into its JSON Schema', () => {
    const spec = signatureSpec(compiled(z.object({ n: z.int().describe('a count') })));
    expect(spec).toEqual({
      jsonSchema: expect.objectContaining({ type: 'object', required: ['n'], properties: { n: expect.objectContaining({ type: 'integer', description: 'a count' }) } }),
    });
  });
});

describe('isZodObject', () => {
  it('recognizes zod objects only', () => {
    expect(isZodObject(z.object({}))).toBe(true);
    expect(isZodObject({ _zod: { def: { type: 'object' } } })).toBe(false);
    expect(isZodObject(null)).toBe(false);
  });
});
