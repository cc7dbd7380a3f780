import { redactSecretsInText } from '@flock-ts/serialization';
import { SpanStatusCode, trace, type Attributes, type Span, type SpanKind } from '@opentelemetry/api';

/** Options of {@link withSpan}. */
export interface WithSpanOptions<T> {
  /** Instrumentation scope (default `@flock-ts/telemetry`). */
  tracer?: string;
  attributes?: Attributes;
  /** The span's kind (internal by default). */
  kind?: SpanKind;
  /** A message when a result that did not throw still means failure (an exit status, say). */
  failed?: (result: T) => string | undefined;
}

/**
 * Runs `fn` in an active span of the global tracer: children made inside
 * belong to it; a throw or a `failed` result marks it an error; it always
 * ends. A no-op span when no tracer provider is registered.
 *
 * @example
 * const code = await withSpan('flockctl run', () => execute(), { failed: (code) => (code ? `exit status ${code}` : undefined) });
 */
export async function withSpan<T>(name: string, fn: (span: Span) => Promise<T>, options: WithSpanOptions<T> = {}): Promise<T> {
  const tracer = trace.getTracer(options.tracer ?? '@flock-ts/telemetry');
  return tracer.startActiveSpan(name, { kind: options.kind, attributes: options.attributes ?? {} }, async (span) => {
    try {
      const result = await fn(span);
      const failure = options.failed?.(result);
      if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: redactSecretsInText(failure) });
      return result;
    } catch (error) {
      // the exception event and status leave the process: credentials in the message or stack are cut out
      const err = error instanceof Error ? error : new Error(String(error));
      span.recordException({ name: err.name, message: redactSecretsInText(err.message), ...(err.stack ? { stack: redactSecretsInText(err.stack) } : {}) });
      span.setStatus({ code: SpanStatusCode.ERROR, message: redactSecretsInText(err.message) });
      throw error;
    } finally {
      span.end();
    }
  });
}
