import { TelemetryConfigError } from './errors';

/** OTLP transports this package exports with (the values of `OTEL_EXPORTER_OTLP_PROTOCOL`). */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** How traces leave the process, as the standard `OTEL_*` variables decide it. */
export type TracesExportPlan = { kind: 'none'; reason: string } | { kind: 'console' } | { kind: 'otlp'; protocol: OtlpProtocol; endpoint: string };

type Env = Record<string, string | undefined>;

const value = (env: Env, key: string): string | undefined => {
  const raw = env[key]?.trim();
  return raw ? raw : undefined;
};

/**
 * Decides from the standard OpenTelemetry environment variables whether and
 * how traces are exported. Tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, or `OTEL_TRACES_EXPORTER`
 * asks for `otlp`/`console` explicitly; `OTEL_TRACES_EXPORTER=none` and
 * `OTEL_SDK_DISABLED=true` turn it off. The protocol is
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`,
 * else the specification's default `http/protobuf`. The endpoint is
 * informational (the exporters read it themselves).
 *
 * @example
 * tracesExportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })
 * // => { kind: 'otlp', protocol: 'http/protobuf', endpoint: 'http://collector:4318/v1/traces' }
 */
export function tracesExportPlan(env: Env): TracesExportPlan {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { kind: 'none', reason: 'OTEL_SDK_DISABLED=true' };
  const exporters = (value(env, 'OTEL_TRACES_EXPORTER') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  for (const name of exporters) {
    if (!['otlp', 'console', 'none'].includes(name)) {
      throw new TelemetryConfigError('UNKNOWN_EXPORTER', 'OTEL_TRACES_EXPORTER', `OTEL_TRACES_EXPORTER=${name} is not supported (use otlp, console or none)`);
    }
  }
  if (exporters.includes('none')) return { kind: 'none', reason: 'OTEL_TRACES_EXPORTER=none' };
  if (exporters.includes('console') && !exporters.includes('otlp')) return { kind: 'console' };

  const protocolSetting = value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (value(env, protocolSetting) ?? 'http/protobuf') as OtlpProtocol;
  if (!OTLP_PROTOCOLS.includes(protocol)) {
    throw new TelemetryConfigError('UNKNOWN_PROTOCOL', protocolSetting, `${protocolSetting}=${protocol} is not supported (use ${OTLP_PROTOCOLS.join(', ')})`);
  }
  const endpoint = tracesEndpoint(env, protocol);
  if (!endpoint && !exporters.includes('otlp')) {
    return { kind: 'none', reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set' };
  }
  return { kind: 'otlp', protocol, endpoint: endpoint ?? defaultEndpoint(protocol) };
}

/**
 * The traces endpoint the OTLP exporters will use: the traces variable as
 * it is, or the generic one with `/v1/traces` appended for HTTP (gRPC takes
 * the generic endpoint unchanged), as the OTLP exporter specification says.
 */
export function tracesEndpoint(env: Env, protocol: OtlpProtocol): string | undefined {
  const specific = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (specific) return specific;
  const generic = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!generic) return undefined;
  return protocol === 'grpc' ? generic : `${generic.replace(/\/+$/, '')}/v1/traces`;
}

function defaultEndpoint(protocol: OtlpProtocol): string {
  return protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318/v1/traces';
}
