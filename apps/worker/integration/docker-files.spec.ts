/**
 * No Docker engine runs in CI, so the docker/ files are checked as data:
 * the compose file parses as YAML and wires the services the way the README
 * says; the Dockerfile's stages, user and entry point are what we ship; the
 * worker settings in compose are ones flock-worker actually reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseWorkerArgs, type WorkerCommand } from '../src/lib/cli';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOCKER = path.join(ROOT, 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
}

const compose = parseYaml(readFileSync(path.join(DOCKER, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;

/** Compose's `${NAME:-default}` interpolation, with an empty environment. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::-([^}]*))?\}/g, (_match, _name: string, fallback?: string) => fallback ?? '');
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, the Temporal server, its Web UI, the worker, and the collector, Tempo and Grafana for traces', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'otel-collector', 'postgresql', 'tempo', 'temporal', 'temporal-ui', 'worker']);
  });

  it('pins every image version (overridable), never :latest', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/:[^:]+$/) });
      expect(interpolate(service.image as string)).not.toMatch(/:latest$/);
    }
  });

  it('has a healthcheck on every service the others wait for', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui']) {
      expect(services[name].healthcheck?.test?.length).toBeGreaterThan(1);
    }
  });

  it('starts each service only after what it depends on is healthy', () => {
    for (const service of Object.values(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(services)).toContain(dependency);
        expect(services[dependency].healthcheck).toBeDefined();
        expect(condition).toBe('service_healthy');
      }
    }
    expect(Object.keys(services['worker'].depends_on ?? {})).toEqual(['temporal']);
    expect(Object.keys(services['temporal'].depends_on ?? {})).toEqual(['postgresql']);
  });

  it('points Temporal at PostgreSQL and the UI and worker at Temporal', () => {
    expect(services['temporal'].environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-ui'].environment?.['TEMPORAL_ADDRESS']).toBe('temporal:7233');
    expect(services['worker'].environment?.['TEMPORAL_ADDRESS']).toBe('temporal:7233');
  });

  it('serves the namespace auto-setup creates', () => {
    expect(interpolate(services['worker'].environment?.['TEMPORAL_NAMESPACE'] as string)).toBe(interpolate(services['temporal'].environment?.['DEFAULT_NAMESPACE'] as string));
  });

  it('declares the named volumes it mounts', () => {
    const named = Object.values(services)
      .flatMap((service) => service.volumes ?? [])
      .map((mount) => mount.split(':')[0])
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    for (const volume of named) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('builds the worker from the repository root with docker/worker.Dockerfile', () => {
    const build = services['worker'].build as { context: string; dockerfile: string };
    const context = path.resolve(DOCKER, build.context);
    expect(context).toBe(ROOT);
    expect(existsSync(path.join(context, build.dockerfile))).toBe(true);
  });

  it('configures the worker only through settings flock-worker reads', () => {
    const env = Object.fromEntries(Object.entries(services['worker'].environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]));
    const saved = process.env;
    process.env = env;
    let help: WorkerCommand;
    let command: WorkerCommand;
    try {
      help = parseWorkerArgs(['--help']);
      command = parseWorkerArgs([]);
    } finally {
      process.env = saved;
    }
    for (const name of Object.keys(env).filter((key) => key !== 'TEMPORAL_UI_URL')) expect(help).toMatchObject({ text: expect.stringContaining(name) });
    expect(command).toEqual({
      kind: 'run',
      options: {
        server: 'temporal:7233',
        namespace: 'flock-example',
        taskQueues: ['agent-tasks'],
        concurrency: 8,
        flockModules: [],
        shutdownGraceSeconds: 20,
        metricsBindAddress: '0.0.0.0:9464',
        logFormat: 'json',
      },
    });
  });

  it('gives the worker longer to stop than its drain takes', () => {
    const grace = Number(services['worker'].environment?.['FLOCK_SHUTDOWN_GRACE']);
    const stop = Number(/^(\d+)s$/.exec(services['worker'].stop_grace_period ?? '')?.[1]);
    expect(stop).toBeGreaterThan(grace);
  });
});

describe('worker.Dockerfile', () => {
  const text = readFileSync(path.join(DOCKER, 'worker.Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = instructions.filter((line) => line.startsWith('FROM ')).map((line) => /\bAS\s+(\S+)$/i.exec(line)?.[1]);
  const finalStage = instructions.slice(instructions.map((line) => line.startsWith('FROM ')).lastIndexOf(true));

  it('builds in one stage and runs from another', () => {
    expect(stages).toEqual(['build', 'runtime']);
  });

  it('installs with npm ci, builds with nx and writes the workflow bundle', () => {
    const build = instructions.filter((line) => line.startsWith('RUN ')).join('\n');
    expect(build).toContain('npm ci');
    expect(build).toContain('nx run-many -t build -p @flock-ts/worker @flock-ts/starter');
    expect(build).toContain('nx run @flock-ts/worker:build-bundle');
  });

  it('copies only from stages it defines', () => {
    for (const line of instructions.filter((l) => l.startsWith('COPY --from='))) {
      expect(stages).toContain(/--from=(\S+)/.exec(line)?.[1]);
    }
  });

  it('runs the worker from dist as the unprivileged node user, on a glibc slim image', () => {
    expect(finalStage[0]).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS runtime$/);
    expect(finalStage).toContain('USER node');
    expect(finalStage).toContain('ENTRYPOINT ["node", "apps/worker/dist/main.js"]');
    expect(finalStage.some((line) => line.includes('apps/worker/dist'))).toBe(true);
  });

  it("copies each shipped app's own node_modules (dependencies npm nests there, e.g. commander)", () => {
    const root = path.resolve(DOCKER, '..');
    for (const app of ['worker', 'starter']) {
      const nested = existsSync(path.join(root, 'apps', app, 'node_modules'));
      expect([app, finalStage.includes(`COPY --from=build /app/apps/${app}/node_modules ./apps/${app}/node_modules`)]).toEqual([app, nested]);
    }
  });

  it('keeps node_modules and build output out of the build context', () => {
    const ignored = readFileSync(path.join(DOCKER, 'worker.Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});
