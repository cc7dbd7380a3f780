import { FlockConfigError, checkRunIds } from '@flock-ts/config';
import { findUnstorable } from '@flock-ts/engine';
import { findSecretKey, looksLikeSecret, redactSecretsInValues } from '@flock-ts/secrets';

/**
 * Checks a run request before anything runs, the same way on every
 * executor, and returns the input the run gets: ids within Temporal's
 * limits, an object of named values that a run can store, no secret-named
 * entry (`apiKey`, `Authorization`, `auth.pass`: the input is stored in the
 * run history), and credentials pasted inside free text cut out. Throws a
 * `FlockConfigError` naming the path.
 *
 * @example
 * const input = prepareRunInput({ input: { note: 'hi' }, runId: 'r1' });
 */
export function prepareRunInput(request: { input: unknown; runId?: unknown; sessionId?: unknown }): Record<string, unknown> {
  checkRunIds(request);
  const input = request.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FlockConfigError('run request', [{ path: 'input', message: 'the run input must be an object of named values' }]);
  }
  // what a Temporal run could not store is refused in-process too, so a flock that runs locally runs durably
  const unstorable = findUnstorable(input, 'input');
  if (unstorable) throw new FlockConfigError('run request', [{ path: unstorable.path, message: unstorable.reason }]);
  // an agent reading a dropped secret would break: refuse it, saying where secrets belong
  const secretPath = findSecretKey(input, 'input', undefined, isSecretEntry);
  if (secretPath) {
    throw new FlockConfigError('run request', [
      {
        path: secretPath,
        message:
          'the run input is stored in the run history and must not carry secrets: pass API keys, tokens and passwords through the environment or the worker config (e.g. apiKeyEnv: "OPENAI_API_KEY")',
      },
    ]);
  }
  return redactSecretsInValues(input as Record<string, unknown>);
}

/** Key names that often hold no secret (a correlation `token`): such an entry is refused only when its value looks like a credential. */
const AMBIGUOUS_SECRET_KEYS = new Set(['token']);

function isSecretEntry(key: string, value: unknown): boolean {
  if (!AMBIGUOUS_SECRET_KEYS.has(key.toLowerCase())) return true;
  return typeof value !== 'string' || looksLikeSecret(value);
}
