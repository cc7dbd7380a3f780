import { bundleFlockWorkflows } from '@flock-ts/temporal';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** File name of the prebuilt workflow bundle shipped next to the worker's `main.js`. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/**
 * The variant for workers whose payload codec encrypts: workflow failure
 * messages and stack traces travel in encoded (encrypted) attributes too.
 */
export const ENCODED_FAILURES_BUNDLE_FILE = 'workflow-bundle.encoded-failures.js';

/**
 * Bundles the Flock workflow code (with the Flock payload converter) and
 * writes it where `flock-worker --workflow-bundle` (or the default lookup)
 * reads it, so production workers start without bundling. Fails, naming the
 * import, when workflow code reaches a Node built-in or a Node-only package.
 *
 * @example
 * await writeWorkflowBundle('apps/worker/dist/workflow-bundle.js');
 */
export async function writeWorkflowBundle(outFile: string, options: { encodeFailures?: boolean } = {}): Promise<{ path: string; bytes: number }> {
  const { code } = await bundleFlockWorkflows(options);
  const target = path.resolve(outFile);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, code);
  return { path: target, bytes: Buffer.byteLength(code) };
}
