import { redactSecretsInText, registerSecretValues } from '@flock-ts/secrets';

/** Environment variables that hold a provider API key: `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `FLOCK_OPENAI_API_KEY`, `OPENAI_COMPATIBLE_API_KEY`, ... */
const API_KEY_VARIABLE = /(?:^|_)API_KEY$/i;

/**
 * The API key values the environment holds: every variable named `API_KEY`
 * or `<SOMETHING>_API_KEY`, which covers what `resolveModel` and the AI SDK
 * providers read.
 *
 * @example
 * providerKeyValues({ OPENAI_API_KEY: 'local-test-key-123', HOME: '/root' }) // => ['local-test-key-123']
 */
export function providerKeyValues(env: Record<string, string | undefined> = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => API_KEY_VARIABLE.test(name) && typeof value === 'string' && value.trim() !== '')
    .map(([, value]) => value as string);
}

/**
 * Registers the provider keys of the environment (and any key given
 * explicitly) with `@flock-ts/secrets`, so every redaction of the process
 * (error messages, failure stacks in Temporal histories, logs) cuts them out
 * even when they match no known key pattern.
 */
export function registerProviderKeys(env: Record<string, string | undefined> = process.env, ...explicit: Array<string | undefined>): void {
  registerSecretValues([...providerKeyValues(env), ...explicit]);
}

/**
 * A provider's text (an error message or body) fit for an error message:
 * credentials cut out, the keys this process holds included, whatever their
 * shape.
 *
 * @example
 * // OPENAI_API_KEY=local-test-key-123
 * redactProviderText('Incorrect API key provided: local-test-key-123') // => 'Incorrect API key provided: [redacted]'
 */
export function redactProviderText(text: string, env: Record<string, string | undefined> = process.env): string {
  registerProviderKeys(env);
  return redactSecretsInText(text);
}
