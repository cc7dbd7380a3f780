#!/usr/bin/env node
/**
 * `npm run build-bundle` / `nx run @flock-ts/worker:build-bundle`: writes the
 * prebuilt workflow bundle to dist/workflow-bundle.js (or the path given).
 */
import * as path from 'node:path';
import { WORKFLOW_BUNDLE_FILE, writeWorkflowBundle } from './lib/workflow-bundle-file';

const target = process.argv[2] ?? path.join(__dirname, '..', 'dist', WORKFLOW_BUNDLE_FILE);

writeWorkflowBundle(target).then(
  ({ path: written, bytes }) => {
    console.log(`workflow bundle written: ${written} (${Math.round(bytes / 1024)} KiB)`);
  },
  (error: unknown) => {
    console.error(`workflow bundle failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
