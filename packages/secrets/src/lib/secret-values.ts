// Secret values a process holds (API keys read from its environment), registered
// so that redaction cuts them out of texts even when they have no known shape:
// a custom key such as `local-test-key-123` matches no provider pattern, yet a
// server that echoes it back must not get it into an error message.
//
// Kept on `globalThis` under a registered symbol: every copy of this package in a
// process (sources and dist, two versions) then cuts the same values. Workflow
// code never registers anything, so inside Temporal's sandbox the set stays empty.

/** Values shorter than this are not registered: they would cut ordinary words (`ollama`, `none`) out of every text. */
export const MIN_SECRET_VALUE_LENGTH = 8;

const REGISTRY = Symbol.for('@flock-ts/secrets.registered-values');

type Holder = { [REGISTRY]?: Set<string> };

/** The registered values, longest first; empty when none were registered (read-only: never creates the set). */
export function registeredSecretValues(): readonly string[] {
  const values = (globalThis as Holder)[REGISTRY];
  return values ? [...values].sort((a, b) => b.length - a.length) : [];
}

/**
 * Registers secret values this process holds, such as the API keys it read
 * from the environment: `redactSecretsInText`, `looksLikeSecret` and
 * everything built on them then find these values in any text, whatever
 * their shape. Blank values and values shorter than
 * {@link MIN_SECRET_VALUE_LENGTH} characters (after trimming) are skipped;
 * registering a value twice is harmless. Process-wide; call it on the worker
 * side, never from workflow code.
 *
 * @example
 * registerSecretValues([process.env.OPENAI_API_KEY]);
 * redactSecretsInText(`401: Incorrect API key provided: ${process.env.OPENAI_API_KEY}`);
 * // => '401: Incorrect API key provided: [redacted]'
 */
export function registerSecretValues(values: Iterable<string | undefined>): void {
  for (const value of values) {
    const trimmed = typeof value === 'string' ? value.trim() : '';
    if (trimmed.length < MIN_SECRET_VALUE_LENGTH) continue;
    const holder = globalThis as Holder;
    (holder[REGISTRY] ??= new Set()).add(trimmed);
  }
}

/** Forgets every registered value (for tests that register their own). */
export function clearRegisteredSecretValues(): void {
  (globalThis as Holder)[REGISTRY]?.clear();
}
