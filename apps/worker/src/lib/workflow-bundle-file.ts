import { bundleFlockWorkflows, type FlockBundleOptions } from '@flock-ts/temporal/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * File name of the prebuilt workflow bundle shipped next to the worker's
 * `main.js`: the lean variant (no OpenTelemetry workflow interceptors), for
 * workers that export no traces.
 */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/**
 * The variant for workers whose payload codec encrypts: workflow failure
 * messages and stack traces travel in encoded (encrypted) attributes too.
 */
export const ENCODED_FAILURES_BUNDLE_FILE = 'workflow-bundle.encoded-failures.js';

/** What a shipped bundle variant was built with. */
export interface WorkflowBundleVariant {
  /** Failure texts encoded by the payload codec (workers whose codec encrypts). */
  encodeFailures: boolean;
  /** With the OpenTelemetry workflow interceptors (workers that export traces). */
  tracing: boolean;
}

/** Every variant `build-bundle` writes, lean and plain first. */
export const WORKFLOW_BUNDLE_VARIANTS: readonly WorkflowBundleVariant[] = [
  { encodeFailures: false, tracing: false },
  { encodeFailures: false, tracing: true },
  { encodeFailures: true, tracing: false },
  { encodeFailures: true, tracing: true },
];

/**
 * File name of a shipped bundle variant: `workflow-bundle[.encoded-failures][.traced].js`
 * (its source map: the same name + `.map`).
 *
 * @example
 * workflowBundleFile({ encodeFailures: true, tracing: true }) // 'workflow-bundle.encoded-failures.traced.js'
 */
export function workflowBundleFile(variant: WorkflowBundleVariant): string {
  return `workflow-bundle${variant.encodeFailures ? '.encoded-failures' : ''}${variant.tracing ? '.traced' : ''}.js`;
}

/** What {@link writeWorkflowBundle} wrote. */
export interface WrittenWorkflowBundle {
  path: string;
  /** Bytes of the code file. */
  bytes: number;
  mapPath: string;
  mapBytes: number;
}

/**
 * Bundles the Flock workflow code (with the Flock payload converter) and
 * writes it where `flock-worker --workflow-bundle` (or the default lookup)
 * reads it, so production workers start without bundling: `outFile` holds
 * the code, ending in `//# sourceMappingURL=<name>.map`, and `outFile + '.map'`
 * its source map. Fails, naming the import, when workflow code reaches a Node
 * built-in or a Node-only package. Options as `bundleFlockWorkflows` (default:
 * plain failure texts, traced).
 *
 * @example
 * await writeWorkflowBundle('apps/worker/dist/workflow-bundle.js', { tracing: false });
 */
export async function writeWorkflowBundle(outFile: string, options: FlockBundleOptions = {}): Promise<WrittenWorkflowBundle> {
  const { code, sourceMap } = await bundleFlockWorkflows(options);
  const target = path.resolve(outFile);
  const mapPath = `${target}.map`;
  const map = JSON.parse(sourceMap) as { file?: string };
  map.file = path.basename(target);
  const mapText = JSON.stringify(map);
  const codeText = `${code.endsWith('\n') ? code : `${code}\n`}//# sourceMappingURL=${encodeURI(path.basename(mapPath))}\n`;
  await mkdir(path.dirname(target), { recursive: true });
  await Promise.all([writeFile(target, codeText), writeFile(mapPath, mapText)]);
  return { path: target, bytes: Buffer.byteLength(codeText), mapPath, mapBytes: Buffer.byteLength(mapText) };
}
