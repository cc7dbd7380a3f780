// Signature strings typed by the type checker (SignatureValues), following
// the runtime grammar of @flock-ts/config; anything else is Record<string, unknown>.
import type { SignatureValues as Values } from '../src/index';
import { expectTrue, type Equal } from './expect';

type Loose = Record<string, unknown>;

// fields, optional fields, descriptions, a field without a type is a string
expectTrue<Equal<Values<'topic: string | what to research, depth?: integer'>, { topic: string; depth?: number }>>();
expectTrue<Equal<Values<'summary: string, sources: string[]'>, { summary: string; sources: string[] }>>();
expectTrue<Equal<Values<'note'>, { note: string }>>();
expectTrue<Equal<Values<'note?'>, { note?: string }>>();
expectTrue<
  Equal<
    Values<'a: number, b: float, c: integer, d: int, e: boolean, f: bool, g: str, h: unknown, i: any'>,
    {
      a: number;
      b: number;
      c: number;
      d: number;
      e: boolean;
      f: boolean;
      g: string;
      h: unknown;
      i: unknown;
    }
  >
>();
// arrays: T[], Array<T>, list[T], List[T]
expectTrue<Equal<Values<'a: list[str], b: Array<int>, c: List[float][], d: boolean[][]'>, { a: string[]; b: number[]; c: number[][]; d: boolean[][] }>>();
// string literal unions, quoted either way; a "|" without a literal starts the description
expectTrue<Equal<Values<`tone: 'calm' | "loud" | how it sounds, x: int`>, { tone: 'calm' | 'loud'; x: number }>>();
expectTrue<Equal<Values<"tags: ('a' | 'b')[], one: 'x, y'">, { tags: ('a' | 'b')[]; one: 'x, y' }>>();
// nested objects, with descriptions that stop at the closing brace
expectTrue<Equal<Values<'p: { x: number, y?: string | a note, with a comma }, q: string'>, { p: { x: number; y?: string }; q: string }>>();
expectTrue<Equal<Values<'a: { b: { c: int[] } }[], e: {}'>, { a: { b: { c: number[] } }[]; e: Record<string, never> }>>();
// a comma in a description starts a field only when "name:", "name," or "name" at the end follows
expectTrue<Equal<Values<'a: string | one, two three, b: int'>, { a: string; b: number }>>();
expectTrue<Equal<Values<'a: string | one, two, b: int'>, { a: string; two: string; b: number }>>();
expectTrue<Equal<Values<'a | x, c | d'>, { a: string }>>();
// whitespace and empty signatures
expectTrue<Equal<Values<'\n  a :  string ,\n\tb?:int  '>, { a: string; b?: number }>>();
expectTrue<Equal<Values<''>, Record<string, never>>>();

// what the runtime parser refuses, or the type parser does not know: Record<string, unknown>
expectTrue<Equal<Values<string>, Loose>>();
expectTrue<Equal<Values<'a: strng'>, Loose>>();
expectTrue<Equal<Values<'a: string, a: int'>, Loose>>();
expectTrue<Equal<Values<'a: string,'>, Loose>>();
expectTrue<Equal<Values<'constructor: string'>, Loose>>();
expectTrue<Equal<Values<"a: 'x' | 'y'[]">, Loose>>();
expectTrue<Equal<Values<'a: { b: int'>, Loose>>();
expectTrue<Equal<Values<'a: Array<int'>, Loose>>();
expectTrue<Equal<Values<"a: 'open">, Loose>>();
expectTrue<Equal<Values<'1a: string'>, Loose>>();

// twenty fields with descriptions check quickly and type every field
type Twenty =
  Values<"f0?: string | field 0, with a comma, f1: integer | field 1, with a comma, f2: boolean | field 2, with a comma, f3?: string[] | field 3, with a comma, f4: number | field 4, with a comma, f5: 'low' | 'mid' | 'high' | field 5, with a comma, f6?: list[str] | field 6, with a comma, f7: { x: number, y?: string } | field 7, with a comma, f8: string | field 8, with a comma, f9?: integer | field 9, with a comma, f10: boolean | field 10, with a comma, f11: string[] | field 11, with a comma, f12?: number | field 12, with a comma, f13: 'low' | 'mid' | 'high' | field 13, with a comma, f14: list[str] | field 14, with a comma, f15?: { x: number, y?: string } | field 15, with a comma, f16: string | field 16, with a comma, f17: integer | field 17, with a comma, f18?: boolean | field 18, with a comma, f19: string[] | field 19, with a comma">;
expectTrue<Equal<Twenty['f1'], number>>();
expectTrue<Equal<Twenty['f5'], 'low' | 'mid' | 'high'>>();
expectTrue<Equal<Twenty['f6'], string[] | undefined>>();
expectTrue<Equal<Twenty['f19'], string[]>>();
expectTrue<Equal<keyof Twenty, `f${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19}`>>();
