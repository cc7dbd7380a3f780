// The signature syntax of `@flock-ts/config` (signature-syntax.ts), parsed
// by the type checker, so a string signature types its values as a zod
// object does. It follows the runtime parser step by step: the same
// whitespace, the same greedy identifiers, the same rule for a comma inside
// a description. Whatever it cannot follow exactly (a syntax error, a type it
// does not know) gives `Record<string, unknown>`, never a wrong type.
//
// Cost: the field list loop and the scanners are tail-recursive conditional
// types (TypeScript unrolls them up to 1000 deep, so no signature is too
// long), and descriptions are skipped comma by comma, so the work grows with
// the number of fields. A 20-field signature with descriptions takes about
// 15k instantiations (some 30 ms), once per distinct string; the usual few
// fields, a few milliseconds.

/** `/\s/` of the runtime parser. */
type Space =
  | ' '
  | '\t'
  | '\n'
  | '\r'
  | '\v'
  | '\f'
  | '\u00a0'
  | '\u1680'
  | '\u2000'
  | '\u2001'
  | '\u2002'
  | '\u2003'
  | '\u2004'
  | '\u2005'
  | '\u2006'
  | '\u2007'
  | '\u2008'
  | '\u2009'
  | '\u200a'
  | '\u2028'
  | '\u2029'
  | '\u202f'
  | '\u205f'
  | '\u3000'
  | '\ufeff';

type Lower = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z';
/** `[A-Za-z_]` */
type IdentStart = Lower | Uppercase<Lower> | '_';
/** `[A-Za-z0-9_]` */
type IdentChar = IdentStart | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** The scalar type names and what their values are. */
interface Scalars {
  string: string;
  str: string;
  number: number;
  float: number;
  integer: number;
  int: number;
  boolean: boolean;
  bool: boolean;
  unknown: unknown;
  any: unknown;
}

/** Field names the runtime parser refuses. */
type Reserved = '__proto__' | 'constructor' | 'prototype';

/** What a step of the parser returns when the text is not what it expects. */
interface Fail {
  readonly '~signatureParseFailure': true;
}

/** Whether a parsed type came from string literals (only those join in a `'a' | 'b'` union). */
type Kind = 'literal' | 'other';

/** A parsed type and the text after it. */
type Parsed<T, Rest extends string, K extends Kind> = [T, Rest, K];

/** Shows an object type resolved (`{ a: string; b?: number }`), not as an intersection or alias. */
type Simplify<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/** The values of an empty field list, as zod types `z.object({})`. */
type NoFields = Record<string, never>;

type TrimStart<S extends string> = S extends `${infer C}${infer R}` ? (C extends Space ? TrimStart<R> : S) : S;

/** `[A-Za-z_][A-Za-z0-9_]*`, greedy: `[name, rest]`, or Fail. */
type Ident<S extends string> = S extends `${infer C}${infer R}` ? (C extends IdentStart ? IdentTail<R, C> : Fail) : Fail;
type IdentTail<S extends string, Acc extends string> = S extends `${infer C}${infer R}` ? (C extends IdentChar ? IdentTail<R, `${Acc}${C}`> : [Acc, S]) : [Acc, S];

/** The runtime's lookahead for a comma that ends a description: `\s*name\??\s*(:|,|$)`. */
type StartsField<S extends string> =
  Ident<TrimStart<S>> extends [string, infer R extends string] ? (TrimStart<R extends `?${infer R2}` ? R2 : R> extends `:${string}` | `,${string}` | '' ? true : false) : false;

/**
 * Skips a description: up to a comma that starts a field, or the end (in a
 * nested object also up to its `}`). Returns the text from there.
 */
type SkipDescription<S extends string, Nested extends boolean> = S extends `${infer D},${infer R}`
  ? Nested extends true
    ? D extends `${string}}${infer After}`
      ? `}${After},${R}`
      : StartsField<R> extends true
        ? `,${R}`
        : SkipDescription<R, Nested>
    : StartsField<R> extends true
      ? `,${R}`
      : SkipDescription<R, Nested>
  : Nested extends true
    ? S extends `${string}}${infer After}`
      ? `}${After}`
      : ''
    : '';

/** A type, then more `| 'literal'` when it is a literal. */
type ParseUnion<S extends string> = ParsePostfix<TrimStart<S>> extends Parsed<infer T, infer R, infer K> ? (K extends 'literal' ? MoreLiterals<T, R> : Parsed<T, R, K>) : Fail;

type MoreLiterals<T, R extends string> =
  TrimStart<R> extends `|${infer After}`
    ? TrimStart<After> extends `'${string}` | `"${string}`
      ? ParsePostfix<TrimStart<After>> extends Parsed<infer T2, infer R2, infer K2>
        ? K2 extends 'literal'
          ? MoreLiterals<T | T2, R2>
          : Fail
        : Fail
      : Parsed<T, R, 'literal'> // a "|" without a literal after it starts the description
    : Parsed<T, R, 'literal'>;

/** A primary type, then any `[]`. */
type ParsePostfix<S extends string> = ParsePrimary<S> extends Parsed<infer T, infer R, infer K> ? Arrays<T, R, K> : Fail;
type Arrays<T, R extends string, K extends Kind> = R extends `[]${infer After}` ? Arrays<T[], After, 'other'> : Parsed<T, R, K>;

type ParsePrimary<S extends string> = S extends `'${infer V}'${infer R}`
  ? Parsed<V, R, 'literal'>
  : S extends `"${infer V}"${infer R}`
    ? Parsed<V, R, 'literal'>
    : S extends `{${infer R}`
      ? ParseObject<R>
      : S extends `(${infer R}`
        ? ParseUnion<R> extends Parsed<infer T, infer R2, infer K>
          ? TrimStart<R2> extends `)${infer After}`
            ? Parsed<T, After, K>
            : Fail
          : Fail
        : Ident<S> extends [infer Word extends string, infer R extends string]
          ? Word extends 'Array' | 'list' | 'List'
            ? ParseArrayOf<R>
            : Word extends keyof Scalars
              ? Parsed<Scalars[Word], R, 'other'>
              : Fail
          : Fail;

/** `Array<T>`, `list[T]`, `List[T]` (also `Array[T]`), after the word. */
type ParseArrayOf<S extends string> = S extends `<${infer R}` ? ClosedArray<ParseUnion<R>, '>'> : S extends `[${infer R}` ? ClosedArray<ParseUnion<R>, ']'> : Fail;
type ClosedArray<P, Close extends string> = P extends Parsed<infer T, infer R, Kind> ? (TrimStart<R> extends `${Close}${infer After}` ? Parsed<T[], After, 'other'> : Fail) : Fail;

type ParseObject<S extends string> =
  FieldList<S, true> extends [infer Fields, infer R extends string] ? (TrimStart<R> extends `}${infer After}` ? Parsed<Simplify<Fields>, After, 'other'> : Fail) : Fail;

/** A field list: `[fields, rest]` or Fail. Empty at the end, or before the `}` of a nested object. */
type FieldList<S extends string, Nested extends boolean> =
  TrimStart<S> extends infer T extends string
    ? T extends ''
      ? [NoFields, T]
      : Nested extends true
        ? T extends `}${string}`
          ? [NoFields, T]
          : Fields<T, Nested, unknown>
        : Fields<T, Nested, unknown>
    : Fail;

type Fields<S extends string, Nested extends boolean, Acc> =
  ParseField<TrimStart<S>, Nested> extends [infer Name extends string, infer T, infer Optional, infer R extends string]
    ? Name extends keyof Acc | Reserved
      ? Fail
      : TrimStart<R> extends `,${infer Next}`
        ? Fields<Next, Nested, Acc & Field<Name, T, Optional>>
        : [Acc & Field<Name, T, Optional>, R]
    : Fail;

type Field<Name extends string, T, Optional> = Optional extends true ? { [K in Name]?: T } : { [K in Name]: T };

/** `name[?][: type][ | description]`: `[name, type, optional, rest]` or Fail. */
type ParseField<S extends string, Nested extends boolean> =
  Ident<S> extends [infer Name extends string, infer R extends string]
    ? R extends `?${infer After}`
      ? FieldType<Name, true, After, Nested>
      : FieldType<Name, false, R, Nested>
    : Fail;

type FieldType<Name extends string, Optional extends boolean, S extends string, Nested extends boolean> =
  TrimStart<S> extends `:${infer R}`
    ? ParseUnion<R> extends Parsed<infer T, infer R2, Kind>
      ? FieldDescription<Name, T, Optional, R2, Nested>
      : Fail
    : FieldDescription<Name, string, Optional, S, Nested>; // a field without a type is a string

type FieldDescription<Name extends string, T, Optional extends boolean, S extends string, Nested extends boolean> =
  TrimStart<S> extends `|${infer R}` ? [Name, T, Optional, SkipDescription<R, Nested>] : [Name, T, Optional, S];

/**
 * The values a signature string describes, parsed by the type checker, or
 * `Record<string, unknown>` when it does not follow the signature syntax (or
 * is a `string` whose text is not known).
 *
 * Follows `parseSignature` of `@flock-ts/config`: fields `name: type`,
 * optional `name?: type`, `| description`, separated by commas; `string`
 * `number` `integer` `boolean` `unknown` (and `str` `float` `int` `bool`
 * `any`), `T[]`, `Array<T>`, `list[T]`, `'a' | 'b'`, `{ x: number }`, and
 * no type for a string. Integers are `number`s.
 *
 * @example
 * type Brief = SignatureValues<'summary: string | two lines, sources: string[], tone?: "calm" | "loud"'>;
 * // => { summary: string; sources: string[]; tone?: 'calm' | 'loud' }
 */
export type SignatureValues<S extends string> = string extends S
  ? Record<string, unknown>
  : FieldList<S, false> extends [infer Fields, infer R extends string]
    ? TrimStart<R> extends ''
      ? Simplify<Fields>
      : Record<string, unknown>
    : Record<string, unknown>;
