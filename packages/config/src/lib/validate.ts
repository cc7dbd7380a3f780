import type { z } from 'zod';
import { FlockConfigError, formatPath, type ConfigIssue } from './errors';

/** Converts zod issues to {@link ConfigIssue}s with readable paths. */
export function toConfigIssues(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/**
 * Parses `value` with `schema`, throwing a {@link FlockConfigError} that names
 * every offending path and rule.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new FlockConfigError(subject, toConfigIssues(result.error));
  return result.data;
}
