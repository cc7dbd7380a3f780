/** Errors of `@flock-ts/telemetry`; match them by `name` or `code`, not `instanceof`. */

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
 *   if ((error as Error).name === 'TelemetryConfigError') console.error((error as Error).message);
 * }
 */
export class TelemetryConfigError extends Error {
  override readonly name = 'TelemetryConfigError';
  constructor(
    readonly code: TelemetryConfigErrorCode,
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}
