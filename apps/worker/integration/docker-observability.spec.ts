/**
 * The trace path of the compose stack, checked as data (no Docker engine in
 * CI): flock-worker -> OTLP -> collector -> Tempo <- Grafana. Each hop's
 * address must be one the next hop listens on.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tracesExportPlan } from '@flock-ts/telemetry';

const DOCKER = path.resolve(__dirname, '..', '..', '..', 'docker');
const read = <T>(file: string): T => parseYaml(readFileSync(path.join(DOCKER, file), 'utf8')) as T;

interface Service {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const services = read<{ services: Record<string, Service> }>('docker-compose.yml').services;

interface Collector {
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  exporters: Record<string, { endpoint?: string; tls?: { insecure?: boolean } }>;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
}
const collector = read<Collector>('otel-collector.yaml');

interface Tempo {
  server: { http_listen_port: number };
  distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } };
  storage: { trace: { backend: string } };
}
const tempo = read<Tempo>('tempo.yaml');

const datasources = read<{ datasources: Array<{ type: string; url: string; isDefault?: boolean }> }>('grafana/datasources.yaml').datasources;

/** `host:port` -> port. */
const portOf = (endpoint: string) => Number(/:(\d+)\/?$/.exec(endpoint)?.[1]);

/** The container path a compose service mounts a docker/ file at. */
function mountOf(service: Service, file: string): string | undefined {
  return service.volumes?.map((volume) => volume.split(':')).find(([source]) => path.normalize(source) === path.normalize(`./${file}`))?.[1];
}

describe('worker -> collector', () => {
  it('exports the worker traces over OTLP to the collector service, on a protocol and port the collector receives', () => {
    const env = services['worker'].environment ?? {};
    const plan = tracesExportPlan(env);
    expect(plan).toMatchObject({ kind: 'otlp', protocol: 'http/protobuf', endpoint: 'http://otel-collector:4318/v1/traces' });
    expect(portOf(collector.receivers.otlp.protocols.http.endpoint)).toBe(4318);
    expect(env['OTEL_SERVICE_NAME']).toBe('flock-worker');
  });

  it('publishes the collector OTLP ports for starters on the host', () => {
    const published = (services['otel-collector'].ports ?? []).map((mapping) => Number(mapping.replace(/"/g, '').split(':').pop()));
    expect(published.sort()).toEqual([portOf(collector.receivers.otlp.protocols.grpc.endpoint), portOf(collector.receivers.otlp.protocols.http.endpoint)].sort());
  });

  it('loads the collector config the compose file mounts', () => {
    const service = services['otel-collector'];
    expect(service.image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
    expect(service.command).toEqual([`--config=${mountOf(service, 'otel-collector.yaml')}`]);
  });
});

describe('collector -> Tempo', () => {
  it('has a traces pipeline from the OTLP receiver to an OTLP exporter aimed at Tempo', () => {
    const traces = collector.service.pipelines['traces'];
    expect(traces.receivers).toEqual(['otlp']);
    const toTempo = traces.exporters.find((name) => collector.exporters[name]?.endpoint?.startsWith('tempo:'));
    expect(toTempo).toBeDefined();
    expect(collector.exporters[toTempo as string]).toEqual({ endpoint: 'tempo:4317', tls: { insecure: true } });
    for (const name of traces.exporters) expect(Object.keys(collector.exporters)).toContain(name);
  });

  it('sends to the port Tempo receives OTLP/gRPC on, on every interface of its container', () => {
    expect(tempo.distributor.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
  });

  it('loads the Tempo config the compose file mounts', () => {
    const service = services['tempo'];
    expect(service.command).toEqual([`-config.file=${mountOf(service, 'tempo.yaml')}`]);
    expect(tempo.storage.trace.backend).toBe('local');
  });
});

describe('Grafana -> Tempo', () => {
  it('provisions Tempo as the default data source, at the port Tempo serves its API on', () => {
    expect(datasources).toEqual([expect.objectContaining({ type: 'tempo', url: `http://tempo:${tempo.server.http_listen_port}`, isDefault: true })]);
  });

  it('mounts the data source file where Grafana reads provisioning', () => {
    expect(mountOf(services['grafana'], 'grafana/datasources.yaml')).toMatch(/^\/etc\/grafana\/provisioning\/datasources\/[\w-]+\.yaml$/);
  });
});
