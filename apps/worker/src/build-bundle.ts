#!/usr/bin/env node
/**
 * `npm run build-bundle` / `nx run @flock-ts/worker:build-bundle` (and the
 * last step of the `build` target): writes the prebuilt workflow bundles,
 * each with its `.map`, to dist/ (or beside the lean bundle's path given):
 * workflow-bundle.js (lean), workflow-bundle.traced.js,
 * workflow-bundle.encoded-failures.js, workflow-bundle.encoded-failures.traced.js.
 */
import * as path from 'node:path';
import { WORKFLOW_BUNDLE_VARIANTS, workflowBundleFile, writeWorkflowBundle, type WrittenWorkflowBundle } from './lib/workflow-bundle-file';

const lean = process.argv[2] ?? path.join(__dirname, '..', 'dist', workflowBundleFile({ encodeFailures: false, tracing: false }));
const targets = WORKFLOW_BUNDLE_VARIANTS.map((variant) => ({
  variant,
  file: variant.encodeFailures || variant.tracing ? path.join(path.dirname(lean), workflowBundleFile(variant)) : lean,
}));

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

async function main(): Promise<void> {
  // one after the other: four webpack runs at once are heavy on a small build machine
  const written: WrittenWorkflowBundle[] = [];
  for (const { variant, file } of targets) written.push(await writeWorkflowBundle(file, variant));
  for (const bundle of written) console.log(`workflow bundle written: ${bundle.path} (${kib(bundle.bytes)}, map ${kib(bundle.mapBytes)})`);
}

main().catch((error: unknown) => {
  console.error(`workflow bundle failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
