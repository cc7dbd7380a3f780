import { formatSignature, parseAgentSignature, parseSignature, signatureToZod } from './signature';

describe('parseSignature', () => {
  it('parses names, types and descriptions', () => {
    expect(parseSignature('topic: string | what to research, depth?: integer')).toEqual([
      { name: 'topic', type: { kind: 'string' }, optional: false, description: 'what to research' },
      { name: 'depth', type: { kind: 'integer' }, optional: true },
    ]);
  });

  it('treats a field without a type as a string', () => {
    expect(parseSignature('query')).toEqual([{ name: 'query', type: { kind: 'string' }, optional: false }]);
  });

  it('parses arrays, literal unions and nested objects', () => {
    const [tags, mood, people] = parseSignature("tags: string[], mood: 'happy' | 'sad' | how it feels, people: { name: str, age?: int }[]");
    expect(tags.type).toEqual({ kind: 'array', items: { kind: 'string' } });
    expect(mood).toEqual({ name: 'mood', type: { kind: 'literal', values: ['happy', 'sad'] }, optional: false, description: 'how it feels' });
    expect(people.type).toEqual({
      kind: 'array',
      items: {
        kind: 'object',
        fields: [
          { name: 'name', type: { kind: 'string' }, optional: false },
          { name: 'age', type: { kind: 'integer' }, optional: true },
        ],
      },
    });
  });

  it('keeps commas inside a description unless a new "name:" follows', () => {
    const fields = parseSignature('topic: string | what to research, in depth, sources: list[str]');
    expect(fields.map((f) => f.name)).toEqual(['topic', 'sources']);
    expect(fields[0].description).toBe('what to research, in depth');
    expect(fields[1].type).toEqual({ kind: 'array', items: { kind: 'string' } });
  });

  it('round-trips through formatSignature', () => {
    const source = "a: number, b?: 'x' | 'y' | pick one, c: { d: boolean[] }[] | nested";
    expect(parseSignature(formatSignature(parseSignature(source)))).toEqual(parseSignature(source));
  });

  it.each([
    ['topic: strng', 'unknown type "strng"'],
    ['a: string, a: number', 'duplicate field "a"'],
    ['a: { b: string', 'expected "}"'],
    ['1abc: string', 'expected a name'],
    ["a: 'open", 'unterminated string literal'],
    ['constructor: string', 'field name "constructor" is reserved (__proto__, constructor and prototype cannot be stored as keys)'],
    ['a: { __proto__: string }', 'field name "__proto__" is reserved'],
    ['a, prototype?: number', 'field name "prototype" is reserved'],
  ])('rejects %p with a reason', (signature, reason) => {
    expect(() => parseSignature(signature)).toThrow(reason);
    try {
      parseSignature(signature);
    } catch (error) {
      expect((error as Error).name).toBe('SignatureSyntaxError');
    }
  });

  it('splits inputs from outputs', () => {
    const { input, output } = parseAgentSignature('topic: string -> summary: string, sources: string[]');
    expect(input.map((f) => f.name)).toEqual(['topic']);
    expect(output.map((f) => f.name)).toEqual(['summary', 'sources']);
  });
});

describe('signatureToZod', () => {
  const schema = signatureToZod(parseSignature("summary: string | the gist, count: integer, kind: 'a' | 'b', extra?: unknown"));

  it('accepts a matching value', () => {
    expect(schema.parse({ summary: 's', count: 2, kind: 'a' })).toEqual({ summary: 's', count: 2, kind: 'a' });
  });

  it('names the offending field', () => {
    const result = schema.safeParse({ summary: 's', count: 2.5, kind: 'c' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['count', 'kind']);
  });

  it('carries descriptions into the JSON Schema', () => {
    const json = schema.toJSONSchema() as { properties: Record<string, { description?: string }> };
    expect(json.properties['summary'].description).toBe('the gist');
  });
});
