import { z } from 'zod';
import { parseWith } from './validate';

/** Longest run id: the workflow id is `<flock name>-<run id>`, and Temporal refuses ids over 1,000 bytes. */
export const MAX_RUN_ID_LENGTH = 200;

/** Longest session id: it is stored as the `SessionId` search attribute (a keyword). */
export const MAX_SESSION_ID_LENGTH = 200;

/** The ids of a run request, checked before anything starts on any executor. */
export const RunIdsSchema = z.object({
  runId: z.string({ error: 'runId must be a string' }).min(1, 'runId must not be empty').max(MAX_RUN_ID_LENGTH, `runId must be at most ${MAX_RUN_ID_LENGTH} characters`).optional(),
  sessionId: z
    .string({ error: 'sessionId must be a string' })
    .min(1, 'sessionId must not be empty')
    .max(MAX_SESSION_ID_LENGTH, `sessionId must be at most ${MAX_SESSION_ID_LENGTH} characters`)
    .optional(),
});

/**
 * Checks a run request's `runId` and `sessionId`; throws a `FlockConfigError`
 * naming the field and the rule (`runId: runId must be at most 200 characters`).
 */
export function checkRunIds(request: { runId?: unknown; sessionId?: unknown }): void {
  parseWith(RunIdsSchema, { runId: request.runId, sessionId: request.sessionId }, 'run request');
}
