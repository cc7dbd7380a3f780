// The signature syntax, free of zod: workflow code parses signatures without
// evaluating schema modules (the sandbox evaluates imports again per workflow).
import { SignatureSyntaxError } from './errors';

/** The type of one signature field; plain data, so it serializes as JSON. */
export type FieldType =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  | { kind: 'unknown' }
  | { kind: 'literal'; values: string[] }
  | { kind: 'array'; items: FieldType }
  | { kind: 'object'; fields: SignatureField[] };

/** One named field of an agent's input or output. */
export interface SignatureField {
  name: string;
  type: FieldType;
  optional: boolean;
  description?: string;
}

const SCALARS: Record<string, FieldType> = {
  string: { kind: 'string' },
  str: { kind: 'string' },
  number: { kind: 'number' },
  float: { kind: 'number' },
  integer: { kind: 'integer' },
  int: { kind: 'integer' },
  boolean: { kind: 'boolean' },
  bool: { kind: 'boolean' },
  unknown: { kind: 'unknown' },
  any: { kind: 'unknown' },
};

/**
 * Parses the field list of a signature.
 *
 * Syntax: `name[?][: type][ | description]`, fields separated by commas.
 * Types: `string number integer boolean unknown` (and the Python spellings
 * `str int float bool any`), arrays `T[]`, `Array<T>` or `list[T]`, string
 * literal unions `'a' | 'b'`, nested objects `{ x: number, y?: string }`.
 * A field without a type is a string. In a description, a comma only starts
 * a new field when a `name:` follows it.
 *
 * @example
 * parseSignature('topic: string | what to research, depth?: integer')
 * // => [{ name: 'topic', type: { kind: 'string' }, optional: false, description: 'what to research' },
 * //     { name: 'depth', type: { kind: 'integer' }, optional: true }]
 */
export function parseSignature(signature: string): SignatureField[] {
  const parser = new Parser(signature);
  const fields = parser.fields(false);
  parser.expectEnd();
  return fields;
}

/**
 * Splits a whole `inputs -> outputs` signature.
 *
 * @example
 * parseAgentSignature('topic: string -> summary: string, sources: string[]')
 */
export function parseAgentSignature(signature: string): { input: SignatureField[]; output: SignatureField[] } {
  const arrow = signature.indexOf('->');
  if (arrow < 0) throw new SignatureSyntaxError(signature, 0, 'expected "inputs -> outputs"');
  return { input: parseSignature(signature.slice(0, arrow)), output: parseSignature(signature.slice(arrow + 2)) };
}

/** Keys superjson refuses (a prototype pollution risk): a run could never store such a field. */
const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  fields(nested: boolean): SignatureField[] {
    const fields: SignatureField[] = [];
    const seen = new Set<string>();
    this.skipSpace();
    if (this.atEnd() || (nested && this.peek() === '}')) return fields;
    for (;;) {
      const start = this.pos;
      const field = this.field(nested);
      if (seen.has(field.name)) this.fail(`duplicate field "${field.name}"`, start);
      if (RESERVED_FIELD_NAMES.has(field.name)) {
        this.fail(`field name "${field.name}" is reserved (__proto__, constructor and prototype cannot be stored as keys)`, start);
      }
      seen.add(field.name);
      fields.push(field);
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        this.skipSpace();
        continue;
      }
      return fields;
    }
  }

  expectEnd(): void {
    this.skipSpace();
    if (!this.atEnd()) this.fail(`unexpected "${this.src.slice(this.pos, this.pos + 10)}"`);
  }

  private field(nested: boolean): SignatureField {
    this.skipSpace();
    const name = this.identifier();
    let optional = false;
    if (this.peek() === '?') {
      optional = true;
      this.pos++;
    }
    this.skipSpace();
    let type: FieldType = { kind: 'string' };
    if (this.peek() === ':') {
      this.pos++;
      type = this.union();
    }
    this.skipSpace();
    const field: SignatureField = { name, type, optional };
    if (this.peek() === '|') {
      this.pos++;
      const description = this.description(nested);
      if (description) field.description = description;
    }
    return field;
  }

  /** Reads a description up to a comma that starts a new `name:` field, or the end. */
  private description(nested: boolean): string {
    const start = this.pos;
    while (!this.atEnd()) {
      const ch = this.peek();
      if (nested && ch === '}') break;
      if (ch === ',' && /^,\s*[A-Za-z_][A-Za-z0-9_]*\??\s*(:|,|$)/.test(this.src.slice(this.pos))) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos).trim();
  }

  private union(): FieldType {
    this.skipSpace();
    const first = this.postfix();
    if (first.kind !== 'literal') return first;
    const values = [...first.values];
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      if (this.peek() !== '|') break;
      this.pos++;
      this.skipSpace();
      if (this.peek() !== "'" && this.peek() !== '"') {
        this.pos = save; // a "|" not followed by a literal starts the description
        break;
      }
      const next = this.postfix();
      if (next.kind !== 'literal') this.fail('a union may only join string literals');
      values.push(...next.values);
    }
    return { kind: 'literal', values };
  }

  private postfix(): FieldType {
    let type = this.primary();
    while (this.src.startsWith('[]', this.pos)) {
      this.pos += 2;
      type = { kind: 'array', items: type };
    }
    return type;
  }

  private primary(): FieldType {
    this.skipSpace();
    const ch = this.peek();
    if (ch === "'" || ch === '"') return { kind: 'literal', values: [this.quoted(ch)] };
    if (ch === '{') {
      this.pos++;
      const fields = this.fields(true);
      this.skipSpace();
      this.expect('}');
      return { kind: 'object', fields };
    }
    if (ch === '(') {
      this.pos++;
      const inner = this.union();
      this.skipSpace();
      this.expect(')');
      return inner;
    }
    const start = this.pos;
    const word = this.identifier();
    if (word === 'Array' || word === 'list' || word === 'List') {
      const open = this.peek();
      const close = open === '<' ? '>' : open === '[' ? ']' : this.fail(`expected "<" or "[" after ${word}`);
      this.pos++;
      const items = this.union();
      this.skipSpace();
      this.expect(close);
      return { kind: 'array', items };
    }
    const scalar = SCALARS[word];
    if (!scalar) {
      this.fail(`unknown type "${word}" (use string, number, integer, boolean, unknown, T[], 'a' | 'b' or { field: type })`, start);
    }
    return { ...scalar };
  }

  private quoted(quote: string): string {
    const start = this.pos;
    this.pos++;
    const end = this.src.indexOf(quote, this.pos);
    if (end < 0) this.fail('unterminated string literal', start);
    const value = this.src.slice(this.pos, end);
    this.pos = end + 1;
    return value;
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!match) return this.fail(this.atEnd() ? 'expected a field name, found the end' : `expected a name, found "${this.peek()}"`);
    this.pos += match[0].length;
    return match[0];
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  private skipSpace(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.src.charAt(this.pos);
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private fail(reason: string, at = this.pos): never {
    throw new SignatureSyntaxError(this.src, at, reason);
  }
}

/** Renders a field type back in the signature syntax. */
export function formatFieldType(type: FieldType): string {
  switch (type.kind) {
    case 'literal':
      return type.values.map((v) => `'${v}'`).join(' | ');
    case 'array': {
      const inner = formatFieldType(type.items);
      return type.items.kind === 'literal' ? `(${inner})[]` : `${inner}[]`;
    }
    case 'object':
      return `{ ${formatSignature(type.fields)} }`;
    default:
      return type.kind;
  }
}

/** Renders fields back in the signature syntax; `parseSignature` reads it back unchanged. */
export function formatSignature(fields: readonly SignatureField[]): string {
  return fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${formatFieldType(f.type)}${f.description ? ` | ${f.description}` : ''}`).join(', ');
}
