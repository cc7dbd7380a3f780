#!/usr/bin/env node
import { isFlockError } from '@flock-ts/config';
import { TelemetryConfigError } from '@flock-ts/telemetry';
import * as path from 'node:path';
import { parseWorkerArgs } from './lib/cli';
import { installWorkerObservability, type WorkerObservability } from './lib/observability';
import { runWorker } from './lib/run-worker';
import { WORKFLOW_BUNDLE_FILE } from './lib/workflow-bundle-file';

async function main(): Promise<number> {
  let command;
  try {
    command = parseWorkerArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`flock-worker: ${(error as Error).message}`);
    return 2;
  }
  if (command.kind === 'print') {
    process.stdout.write(command.text);
    return 0;
  }
  let observability: WorkerObservability;
  try {
    // before any connection: Temporal's runtime (logger, metrics) is installed once per process
    observability = installWorkerObservability({ ...command.options, env: process.env });
  } catch (error) {
    const setting = error instanceof TelemetryConfigError;
    console.error(`flock-worker: ${setting ? error.message : ((error as Error)?.stack ?? String(error))}`);
    return setting ? 2 : 1;
  }
  const log = observability.log;
  for (const line of observability.describe()) log(line);
  try {
    await runWorker(command.options, {
      env: process.env,
      cwd: process.cwd(),
      log,
      shippedBundlePath: path.join(__dirname, WORKFLOW_BUNDLE_FILE),
      // exported traces want the workflow spans: the traced bundle variant
      tracing: observability.telemetry.enabled,
    });
    return 0;
  } catch (error) {
    // Flock's errors say what is wrong in words (a module, an option, a payload key): no stack
    console.error(`flock-worker: ${isFlockError(error) ? error.message : ((error as Error)?.stack ?? String(error))}`);
    return isFlockError(error, 'CLI_USAGE') ? 2 : 1;
  } finally {
    await observability.shutdown().catch(() => undefined);
  }
}

// Exit explicitly: native Temporal handles may outlive the workers by a moment.
void main().then((code) => process.exit(code));
