import { setupTelemetry, withSpan } from '@flock-ts/telemetry';
import type { StarterCommand } from './cli';

/**
 * Runs a `flockctl` command with OpenTelemetry set up from the `OTEL_*`
 * variables (service `flockctl` unless `OTEL_SERVICE_NAME` says otherwise):
 * the command is one span (`flockctl run`, ...), the parent of the
 * workflow start, so the run's trace begins at the starter's call. Spans
 * are exported before it returns. Without an OTLP endpoint it only runs
 * `fn`. Throws `TelemetryConfigError` for `OTEL_*` values it cannot honour.
 *
 * @example
 * const code = await withStarterTelemetry(command, () => executeCommand(command, deps), process.env);
 */
export async function withStarterTelemetry(command: StarterCommand, fn: () => Promise<number>, env: Record<string, string | undefined> = process.env): Promise<number> {
  const telemetry = setupTelemetry({ serviceName: 'flockctl', env });
  if (!telemetry.enabled) return fn();
  try {
    return await withSpan(`flockctl ${command.command}`, fn, {
      tracer: '@flock-ts/starter',
      failed: (code) => (code === 0 ? undefined : `exit status ${code}`),
    });
  } finally {
    await telemetry.shutdown();
  }
}
