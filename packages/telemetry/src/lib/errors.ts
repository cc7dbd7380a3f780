/** Errors of `@flock-ts/telemetry`: {@link FlockError}s. */
import { FlockError } from '@flock-ts/config';

/** What is wrong with a telemetry or logging setting. */
export type TelemetryConfigErrorCode =
  /** `OTEL_EXPORTER_OTLP_PROTOCOL` (or the traces variant) names no protocol we export with. */
  | 'UNKNOWN_PROTOCOL'
  /** `OTEL_TRACES_EXPORTER` names an exporter other than `otlp`, `console` or `none`. */
  | 'UNKNOWN_EXPORTER'
  /** A log level other than trace, debug, info, warn, error, fatal or silent. */
  | 'UNKNOWN_LOG_LEVEL'
  /** A log format other than `json` or `pretty`. */
  | 'UNKNOWN_LOG_FORMAT';

/**
 * A telemetry setting (an `OTEL_*` variable, a log level or format) that
 * cannot be honoured. `setting` names the variable or option.
 *
 * @example
 * try {
 *   setupTelemetry();
 * } catch (error) {
 *   if (error instanceof TelemetryConfigError) console.error(error.message);
 * }
 */
export class TelemetryConfigError extends FlockError<TelemetryConfigErrorCode> {
  static {
    FlockError.named(this, 'TelemetryConfigError');
  }
  constructor(
    code: TelemetryConfigErrorCode,
    readonly setting: string,
    message: string,
  ) {
    super(code, message, { nonRetryable: true });
  }
}
