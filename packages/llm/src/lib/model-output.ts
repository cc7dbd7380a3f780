import { formatPath } from '@flock-ts/config';
import { redactSecretsInText } from '@flock-ts/secrets';
import { jsonrepair } from 'jsonrepair';
import type { z } from 'zod';
import { restoreOptional, type JsonSchemaNode } from './output-schema';

/** Characters of the model's text an error shows. */
export const OUTPUT_EXCERPT_CHARS = 200;

/** What {@link readModelOutput} made of a model's final text. */
export type ModelOutputReading =
  | { ok: true; output: Record<string, unknown> }
  | {
      ok: false;
      /** What is wrong, for people and for the model: `not JSON`, or the first field that does not match (`words: expected number`). */
      problem: string;
      /** The first offending field as a path (`items[2].title`); `''` for the answer as a whole. */
      field: string;
      /** The model's text, redacted and cut to {@link OUTPUT_EXCERPT_CHARS}. */
      excerpt: string;
    };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** JSON as is; else repaired (Markdown code fences, trailing commas, comments, single quotes); else the outermost `{...}` of the text, repaired. */
function lenientObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start && (start > 0 || end < trimmed.length - 1)) candidates.push(trimmed.slice(start, end + 1));
  for (const candidate of candidates) {
    const plain = parseObject(candidate);
    if (plain) return plain;
    try {
      const repaired = parseObject(jsonrepair(candidate));
      if (repaired) return repaired;
    } catch {
      // not repairable: try the next candidate
    }
  }
  return undefined;
}

/**
 * The model's text as the error shows it: whitespace collapsed, credentials
 * cut out, at most {@link OUTPUT_EXCERPT_CHARS} characters.
 *
 * @example
 * outputExcerpt('Sure!\n```json\n{"summary": 1}\n```') // => 'Sure! ```json {"summary": 1} ```'
 */
export function outputExcerpt(text: string): string {
  const flat = redactSecretsInText(text.replace(/\s+/g, ' ').trim());
  if (!flat) return '(empty)';
  return flat.length > OUTPUT_EXCERPT_CHARS ? `${flat.slice(0, OUTPUT_EXCERPT_CHARS)}...` : flat;
}

/**
 * Reads a model's final answer as an agent output: JSON, or JSON in code
 * fences and similar harmless wrappers (prose around it, trailing commas),
 * with the nulls of optional fields dropped, validated against the output
 * signature. A failure says what is wrong and shows a redacted excerpt.
 *
 * @example
 * readModelOutput('```json\n{"summary":"ok"}\n```', schema, original) // => { ok: true, output: { summary: 'ok' } }
 */
export function readModelOutput(text: string, schema: z.ZodObject, original: JsonSchemaNode): ModelOutputReading {
  const value = lenientObject(text);
  if (!value) return { ok: false, problem: 'the answer is not a JSON object', field: '', excerpt: outputExcerpt(text) };
  const parsed = schema.safeParse(restoreOptional(value, original));
  if (parsed.success) return { ok: true, output: parsed.data as Record<string, unknown> };
  const issue = parsed.error.issues[0];
  const field = formatPath(issue.path);
  return { ok: false, problem: `${field || '(root)'}: ${issue.message}`, field, excerpt: outputExcerpt(text) };
}

/**
 * What the model is told after an answer that could not be used: the
 * problem, and to answer again with the JSON object alone.
 *
 * @example
 * outputFeedback('words: expected number, received string')
 */
export function outputFeedback(problem: string): string {
  return (
    `Your answer could not be used: ${problem}. ` + 'Answer again with a single JSON object with the fields you were given, and nothing else: no code fences, no text around it.'
  );
}
