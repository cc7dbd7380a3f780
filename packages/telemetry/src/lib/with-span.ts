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
      if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
