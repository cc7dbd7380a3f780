#!/usr/bin/env node
/**
 * `npm run build-bundle` / `nx run @flock-ts/worker:build-bundle`: writes the
 * prebuilt workflow bundle to dist/workflow-bundle.js (or the path given).
 */
import * as path from 'node:path';
import { ENCODED_FAILURES_BUNDLE_FILE, WORKFLOW_BUNDLE_FILE, writeWorkflowBundle } from './lib/workflow-bundle-file';

const target = process.argv[2] ?? path.join(__dirname, '..', 'dist', WORKFLOW_BUNDLE_FILE);
// beside it, the variant workers with an encrypting payload codec pick
const encodedTarget = path.join(path.dirname(target), ENCODED_FAILURES_BUNDLE_FILE);

Promise.all([writeWorkflowBundle(target), writeWorkflowBundle(encodedTarget, { encodeFailures: true })]).then(
  (written) => {
    for (const bundle of written) console.log(`workflow bundle written: ${bundle.path} (${Math.round(bundle.bytes / 1024)} KiB)`);
  },
  (error: unknown) => {
    console.error(`workflow bundle failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
