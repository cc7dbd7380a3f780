import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// What a `flock-worker --flock <module>` start loads with no OTEL_* set (its
// modules, observability and plan; @flock-ts/temporal whole, as run-worker
// imports it): not the example flocks (nor the LLM SDKs they bring), not the
// OpenTelemetry SDK, exporters or the interceptors' workflow half.
// Spawn-to-polling is measured by tools/bench/fast-path.ts section 6.

/** Packages such a start must not load (each loads as an empty stand-in here, recorded). */
const NOT_AT_START = [
  '@flock-ts/examples',
  '@flock-ts/llm',
  '@opentelemetry/core',
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/semantic-conventions',
  // the package entry; the worker and client halves are required by their paths
  '@temporalio/interceptors-opentelemetry',
];

describe('flock-worker start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'startup-modules-'));
    // loaded through importModule below; only its existence is checked
    writeFileSync(path.join(dir, 'flock.js'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads neither the example flocks nor the OpenTelemetry SDK when given --flock and no OTEL_* settings', async () => {
    const loaded: string[] = [];
    let run: () => Promise<void> = async () => undefined;
    jest.isolateModules(() => {
      for (const name of NOT_AT_START) {
        jest.doMock(name, () => {
          loaded.push(name);
          return {};
        });
      }
      const { installWorkerObservability } = require('./observability') as typeof import('./observability');
      const { planWorker } = require('./run-worker') as typeof import('./run-worker');
      const { parseWorkerArgs } = require('./cli') as typeof import('./cli');
      run = async () => {
        const command = parseWorkerArgs(['--server', '127.0.0.1:7233', '--task-queue', 'start-modules-q', '--flock', './flock.js']);
        if (command.kind !== 'run') throw new Error('expected a run');
        const observability = installWorkerObservability({ env: {}, destination: { write: () => undefined }, installRuntime: (() => undefined) as never });
        // what a --flock module exports (flocks are recognised by their shape)
        const flock = { name: 'start-modules', toDefinition: () => ({}), agent: () => undefined, temporalConfig: {} };
        const plan = await planWorker(command.options, {
          env: {},
          cwd: dir,
          log: () => undefined,
          importModule: async () => ({ flock }),
          tracing: observability.telemetry.enabled,
        });
        expect(plan.flocks).toEqual([flock]);
        expect(plan.taskQueues).toEqual(['start-modules-q']);
        await observability.shutdown();
      };
    });
    try {
      await run();
    } finally {
      for (const name of NOT_AT_START) jest.dontMock(name);
    }
    expect(loaded).toEqual([]);
  });
});
