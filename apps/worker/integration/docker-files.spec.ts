/**
 * No Docker engine runs in CI, so the docker/ files are checked as data:
 * the compose file parses as YAML and wires the services the way the README
 * says; its Temporal is the production topology `npm run temporal:prod` runs;
 * the setup scripts run the commands we expect (against stand-in tools); the
 * Dockerfile's stages, user and entry point are what we ship; the worker
 * settings in compose are ones flock-worker actually reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FLOCK_DEV_SEARCH_ATTRIBUTES, PRODUCTION_SERVER_DYNAMIC_CONFIG, PRODUCTION_TOPOLOGY } from '@flock-ts/tools';
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
  entrypoint?: string[];
  restart?: string;
  stop_grace_period?: string;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = readFileSync(path.join(DOCKER, 'docker-compose.yml'), 'utf8');
const compose = parseYaml(composeText) as Compose;
const services = compose.services;

/** The one-shot setup services: they run to completion before what depends on them starts. */
const ONE_SHOTS = ['temporal-setup-schema', 'temporal-setup-namespace'];

/** Compose's `${NAME:-default}` interpolation, with an empty environment. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::-([^}]*))?\}/g, (_match, _name: string, fallback?: string) => fallback ?? '');
}

/** A service's environment as the container sees it when no variable is set on the host. */
function envOf(service: Service | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(service?.environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]));
}

/** `repository:tag` -> `tag`, defaults interpolated. */
function tagOf(service: Service | undefined): string | undefined {
  return /:([^:/]+)$/.exec(interpolate(service?.image ?? ''))?.[1];
}

/** `Name=Type Name=Type` -> `{ Name: Type }`. */
function parseAttributePairs(value: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (value ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

/** Attributes as one comparable string, in name order. */
const attributeList = (attributes: Record<string, string>) =>
  Object.entries(attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, type]) => `${name}=${type}`)
    .join(' ');

/**
 * Each value of the production topology next to where the compose file sets
 * it: `[what, compose value, PRODUCTION_TOPOLOGY / FLOCK_DEV_SEARCH_ATTRIBUTES value]`.
 * The schema setup names its target versions (`update-schema -v`), so they are
 * compared directly rather than through the server version.
 */
function topologyChecks(file: Compose): Array<[string, unknown, unknown]> {
  const { temporal, postgresql } = file.services;
  const schema = file.services['temporal-setup-schema'];
  const namespace = file.services['temporal-setup-namespace'];
  const [server, setup, setupNamespace] = [envOf(temporal), envOf(schema), envOf(namespace)];
  const topology = PRODUCTION_TOPOLOGY;
  return [
    ['temporalServerVersion (temporal image)', tagOf(temporal), topology.temporalServerVersion],
    ['temporalServerVersion (temporal-setup-schema admin-tools image)', tagOf(schema), topology.temporalServerVersion],
    ['temporalServerVersion (temporal-setup-namespace admin-tools image)', tagOf(namespace), topology.temporalServerVersion],
    ['postgresMajor (postgresql image)', Number(tagOf(postgresql)?.split('.')[0]), topology.postgresMajor],
    ['numHistoryShards (temporal NUM_HISTORY_SHARDS)', Number(server['NUM_HISTORY_SHARDS']), topology.numHistoryShards],
    ['sqlPlugin (temporal DB)', server['DB'], topology.sqlPlugin],
    ['sqlPlugin (temporal-setup-schema SQL_PLUGIN)', setup['SQL_PLUGIN'], topology.sqlPlugin],
    ['schemaVersions.temporal (temporal-setup-schema TEMPORAL_SCHEMA_VERSION)', setup['TEMPORAL_SCHEMA_VERSION'], topology.schemaVersions.temporal],
    ['schemaVersions.visibility (temporal-setup-schema VISIBILITY_SCHEMA_VERSION)', setup['VISIBILITY_SCHEMA_VERSION'], topology.schemaVersions.visibility],
    ['databases.temporal (temporal DBNAME)', server['DBNAME'], topology.databases.temporal],
    ['databases.visibility (temporal VISIBILITY_DBNAME)', server['VISIBILITY_DBNAME'], topology.databases.visibility],
    ['databases.temporal (temporal-setup-schema DBNAME)', setup['DBNAME'], topology.databases.temporal],
    ['databases.visibility (temporal-setup-schema VISIBILITY_DBNAME)', setup['VISIBILITY_DBNAME'], topology.databases.visibility],
    [
      'search attributes (temporal-setup-namespace FLOCK_SEARCH_ATTRIBUTES)',
      attributeList(parseAttributePairs(setupNamespace['FLOCK_SEARCH_ATTRIBUTES'])),
      attributeList(FLOCK_DEV_SEARCH_ATTRIBUTES),
    ],
  ];
}

/** One line per value that differs, naming it; empty when the compose file agrees. */
function topologyDifferences(file: Compose): string[] {
  return topologyChecks(file)
    .filter(([, actual, expected]) => actual !== expected)
    .map(([what, actual, expected]) => `${what}: docker-compose.yml has ${String(actual)}, the production topology has ${String(expected)}`);
}

interface ScriptRun {
  status: number | null;
  stderr: string;
  /** One line per stand-in tool call: its name and arguments. */
  calls: string[];
}

/**
 * Runs a docker/ setup script with `sh`, the service's compose environment,
 * and stand-ins for the image's tools on PATH that record their arguments.
 * `failAlways` / `failOnce` are shell patterns over the arguments that make a
 * stand-in exit 1 (always, or the first time only).
 */
function runSetupScript(script: string, service: string, tools: string[], options: { failAlways?: string; failOnce?: string } = {}): ScriptRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'flock-docker-setup-'));
  try {
    const log = path.join(dir, 'calls.log');
    for (const tool of tools) {
      const stand = [
        '#!/bin/sh',
        'echo "$(basename "$0") $*" >> "$FAKE_LOG"',
        'case "$*" in $FAKE_FAIL_ALWAYS) exit 1 ;; esac',
        'case "$*" in $FAKE_FAIL_ONCE) if [ ! -e "$FAKE_LOG.failed" ]; then : > "$FAKE_LOG.failed"; exit 1; fi ;; esac',
        'exit 0',
      ].join('\n');
      writeFileSync(path.join(dir, tool), `${stand}\n`, { mode: 0o755 });
    }
    const env = {
      ...envOf(services[service]),
      PATH: `${dir}:${process.env['PATH'] ?? ''}`,
      FAKE_LOG: log,
      FAKE_FAIL_ALWAYS: options.failAlways ?? '__never__',
      FAKE_FAIL_ONCE: options.failOnce ?? '__never__',
      SETUP_RETRY_SECONDS: '0',
    };
    const result = spawnSync('sh', [path.join(DOCKER, script)], { env, encoding: 'utf8', timeout: 20_000 });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return { status: result.status, stderr: result.stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The container path a service mounts a docker/ file at. */
function mountOf(service: Service, file: string): string | undefined {
  return service.volumes?.map((volume) => volume.split(':')).find(([source]) => path.normalize(source) === path.normalize(`./${file}`))?.[1];
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, the Temporal server with its two setup steps, its Web UI, the worker, and the collector, Tempo and Grafana for traces', () => {
    expect(Object.keys(services).sort()).toEqual([
      'grafana',
      'otel-collector',
      'postgresql',
      'tempo',
      'temporal',
      'temporal-setup-namespace',
      'temporal-setup-schema',
      'temporal-ui',
      'worker',
    ]);
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

  it('starts each service only after a long-running dependency is healthy or a one-shot one has completed', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(services)).toContain(dependency);
        if (ONE_SHOTS.includes(dependency)) {
          expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_completed_successfully' });
        } else {
          expect(services[dependency].healthcheck).toBeDefined();
          expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        }
      }
    }
    // postgresql -> schema setup -> server -> namespace setup -> worker
    expect(Object.keys(services['temporal-setup-schema'].depends_on ?? {})).toEqual(['postgresql']);
    expect(Object.keys(services['temporal'].depends_on ?? {})).toEqual(['temporal-setup-schema']);
    expect(Object.keys(services['temporal-setup-namespace'].depends_on ?? {})).toEqual(['temporal']);
    expect(Object.keys(services['worker'].depends_on ?? {})).toEqual(['temporal-setup-namespace']);
  });

  it('runs the setup steps once: no restart, a script from docker/ as the entry point', () => {
    for (const name of ONE_SHOTS) {
      const service = services[name];
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'no' });
      const script = `${name}.sh`;
      expect(existsSync(path.join(DOCKER, script))).toBe(true);
      expect(service.entrypoint).toEqual(['/bin/sh', mountOf(service, script)]);
    }
  });

  it('points Temporal and its schema setup at PostgreSQL, and the setup, UI and worker at Temporal', () => {
    expect(services['temporal'].environment).toMatchObject({ POSTGRES_SEEDS: 'postgresql', DB_PORT: '5432', BIND_ON_IP: '0.0.0.0' });
    expect(services['temporal-setup-schema'].environment).toMatchObject({ SQL_HOST: 'postgresql', SQL_PORT: '5432' });
    for (const name of ['temporal-setup-namespace', 'temporal-ui', 'worker']) {
      expect({ name, address: services[name].environment?.['TEMPORAL_ADDRESS'] }).toEqual({ name, address: 'temporal:7233' });
    }
  });

  it('gives the server the dynamic config file it refuses to start without', () => {
    const target = mountOf(services['temporal'], 'temporal-dynamic-config.yaml');
    expect(target).toBe(services['temporal'].environment?.['DYNAMIC_CONFIG_FILE_PATH']);
    const dynamicConfig = parseYaml(readFileSync(path.join(DOCKER, 'temporal-dynamic-config.yaml'), 'utf8')) as Record<string, unknown>;
    // the server's format: each key a list of values, each with optional constraints
    for (const [key, values] of Object.entries(dynamicConfig)) {
      expect({ key, values }).toEqual({ key, values: expect.arrayContaining([expect.objectContaining({ value: expect.anything() })]) });
    }
    // the same settings as the server npm run temporal:prod and integration-prod start
    expect(Object.fromEntries(Object.entries(dynamicConfig).map(([key, values]) => [key, (values as Array<{ value: unknown }>)[0].value]))).toEqual(
      PRODUCTION_SERVER_DYNAMIC_CONFIG,
    );
  });

  it('serves the namespace the namespace setup creates', () => {
    expect(envOf(services['worker'])['TEMPORAL_NAMESPACE']).toBe(envOf(services['temporal-setup-namespace'])['FLOCK_NAMESPACE']);
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
        flockModules: ['@flock-ts/examples'],
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

describe('docker-compose.yml and the production topology (tools/src/lib/production-topology.ts)', () => {
  it('runs the Temporal server version, PostgreSQL major, shard count, SQL plugin, schema versions, databases and search attributes of `npm run temporal:prod`', () => {
    expect(topologyDifferences(compose)).toEqual([]);
  });

  it('names the value that differs when the compose file drifts from it', () => {
    const drifted = parseYaml(
      composeText.replace('postgres:${POSTGRES_VERSION:-15}', 'postgres:${POSTGRES_VERSION:-16}').replace("NUM_HISTORY_SHARDS: '4'", "NUM_HISTORY_SHARDS: '512'"),
    ) as Compose;
    expect(topologyDifferences(drifted)).toEqual([
      'postgresMajor (postgresql image): docker-compose.yml has 16, the production topology has 15',
      'numHistoryShards (temporal NUM_HISTORY_SHARDS): docker-compose.yml has 512, the production topology has 4',
    ]);
  });
});

describe('temporal-setup-schema.sh', () => {
  const schemaDir = '/etc/temporal/schema/postgresql/v12';

  it('creates both databases and brings each to the schema version the compose file names', () => {
    const run = runSetupScript('temporal-setup-schema.sh', 'temporal-setup-schema', ['temporal-sql-tool']);
    const { databases, schemaVersions } = PRODUCTION_TOPOLOGY;
    expect(run).toMatchObject({ status: 0 });
    expect(run.calls).toEqual([
      `temporal-sql-tool --db ${databases.temporal} create-database`,
      `temporal-sql-tool --db ${databases.temporal} setup-schema -v 0.0`,
      `temporal-sql-tool --db ${databases.temporal} update-schema -d ${schemaDir}/temporal/versioned -v ${schemaVersions.temporal}`,
      `temporal-sql-tool --db ${databases.visibility} create-database`,
      `temporal-sql-tool --db ${databases.visibility} setup-schema -v 0.0`,
      `temporal-sql-tool --db ${databases.visibility} update-schema -d ${schemaDir}/visibility/versioned -v ${schemaVersions.visibility}`,
    ]);
  });

  it('waits for PostgreSQL: retries creating the first database until it succeeds', () => {
    const run = runSetupScript('temporal-setup-schema.sh', 'temporal-setup-schema', ['temporal-sql-tool'], { failOnce: '*create-database*' });
    expect(run).toMatchObject({ status: 0 });
    expect(run.calls.slice(0, 3)).toEqual([
      `temporal-sql-tool --db ${PRODUCTION_TOPOLOGY.databases.temporal} create-database`,
      `temporal-sql-tool --db ${PRODUCTION_TOPOLOGY.databases.temporal} create-database`,
      `temporal-sql-tool --db ${PRODUCTION_TOPOLOGY.databases.temporal} setup-schema -v 0.0`,
    ]);
  });

  it('fails, so the server never starts, when a schema update fails', () => {
    const run = runSetupScript('temporal-setup-schema.sh', 'temporal-setup-schema', ['temporal-sql-tool'], { failAlways: '*update-schema*' });
    expect(run.status).not.toBe(0);
    expect(run.calls.at(-1)).toContain('update-schema');
  });
});

describe('temporal-setup-namespace.sh', () => {
  const namespace = 'flock-example';

  /** `--name A --type T --name B --type U` in a recorded call -> `{ A: T, B: U }`. */
  function registered(call: string): Record<string, string> {
    return Object.fromEntries([...call.matchAll(/--name (\S+) --type (\S+)/g)].map(([, name, type]) => [name, type]));
  }

  it('creates the namespace, registers every Flock search attribute on it as in FLOCK_DEV_SEARCH_ATTRIBUTES, and waits until a query accepts them', () => {
    const run = runSetupScript('temporal-setup-namespace.sh', 'temporal-setup-namespace', ['temporal'], { failAlways: 'operator namespace describe*' });
    expect(run).toMatchObject({ status: 0 });
    const names = Object.keys(FLOCK_DEV_SEARCH_ATTRIBUTES);
    expect(run.calls).toEqual([
      'temporal operator cluster health',
      `temporal operator namespace describe --namespace ${namespace}`,
      `temporal operator namespace create --namespace ${namespace} --retention 24h`,
      expect.stringMatching(new RegExp(`^temporal operator search-attribute create --namespace ${namespace} --name `)),
      `temporal workflow count --namespace ${namespace} --query ${names.map((name) => `${name} IS NULL`).join(' AND ')}`,
    ]);
    expect(registered(run.calls[3])).toEqual(FLOCK_DEV_SEARCH_ATTRIBUTES);
  });

  it('keeps a namespace that exists', () => {
    const run = runSetupScript('temporal-setup-namespace.sh', 'temporal-setup-namespace', ['temporal']);
    expect(run).toMatchObject({ status: 0 });
    expect(run.calls.filter((call) => call.includes('namespace create'))).toEqual([]);
  });

  it('waits for the server: retries the cluster health check until it answers', () => {
    const run = runSetupScript('temporal-setup-namespace.sh', 'temporal-setup-namespace', ['temporal'], { failOnce: 'operator cluster health*' });
    expect(run).toMatchObject({ status: 0 });
    expect(run.calls.slice(0, 2)).toEqual(['temporal operator cluster health', 'temporal operator cluster health']);
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

  it('names no flocks for the worker: a container hosts the --flock / FLOCK_MODULES it is given, never the examples by default', () => {
    expect(finalStage.join('\n')).not.toContain('FLOCK_MODULES');
    expect(finalStage).toContain('CMD []');
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
