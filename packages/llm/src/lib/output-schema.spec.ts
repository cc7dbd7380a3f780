import { z } from 'zod';
import { modelOutputSchema, restoreOptional } from './output-schema';

describe('modelOutputSchema', () => {
  it('makes optional fields required but nullable, keeping descriptions', () => {
    const { jsonSchema, strict } = modelOutputSchema(z.object({ summary: z.string().describe('two sentences'), tags: z.array(z.string()).optional() }));
    expect(jsonSchema).toEqual({
      type: 'object',
      properties: { summary: { type: 'string', description: 'two sentences' }, tags: { type: ['array', 'null'], items: { type: 'string' } } },
      required: ['summary', 'tags'],
      additionalProperties: false,
    });
    expect(strict).toBe(true);
  });

  it('does the same in nested objects and drops the safe-integer noise', () => {
    const { jsonSchema } = modelOutputSchema(z.object({ items: z.array(z.object({ n: z.int(), note: z.string().optional() })) }));
    expect((jsonSchema.properties as Record<string, { items: unknown }>).items.items).toEqual({
      type: 'object',
      properties: { n: { type: 'integer' }, note: { type: ['string', 'null'] } },
      required: ['n', 'note'],
      additionalProperties: false,
    });
  });

  it('turns strict mode off for schemas strict structured outputs cannot express', () => {
    expect(modelOutputSchema(z.object({ anything: z.unknown() })).strict).toBe(false);
    expect(modelOutputSchema(z.object({ map: z.record(z.string(), z.number()) })).strict).toBe(false);
    expect(modelOutputSchema(z.object({ level: z.enum(['low', 'high']) })).strict).toBe(true);
  });
});

describe('restoreOptional', () => {
  it('drops nulls of optional fields only, also in arrays of objects', () => {
    const { original } = modelOutputSchema(
      z.object({ summary: z.string().nullable(), tags: z.array(z.string()).optional(), items: z.array(z.object({ note: z.string().optional() })) }),
    );
    expect(restoreOptional({ summary: null, tags: null, items: [{ note: null }, { note: 'x' }] }, original)).toEqual({
      summary: null,
      items: [{}, { note: 'x' }],
    });
  });
});
