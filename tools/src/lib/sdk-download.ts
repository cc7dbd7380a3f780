import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TemporalBinarySpec } from './binaries';
import { isExecutableFile } from './executables';

/** The newest binary an earlier SDK download left in `dir`, if any. */
export function findSdkDownloaded(spec: TemporalBinarySpec, dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  return names
    .filter((name) => name.startsWith(spec.sdkFilePrefix))
    .map((name) => join(dir, name))
    .filter(isExecutableFile)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/**
 * Lets `@temporalio/testing` download the binary the SDK itself would use
 * (needs access to Temporal's download service). The SDK offers no
 * download-only call, so this starts its ephemeral server once and tears it
 * down; the binary stays in `dir`.
 */
export async function sdkDownload(spec: TemporalBinarySpec, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const executable = { type: 'cached-download' as const, downloadDir: dir, ttl: '3650d' as const };
  const env =
    spec.sdkKind === 'dev-server'
      ? await TestWorkflowEnvironment.createLocal({ server: { executable } })
      : await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await env.teardown();
  const path = findSdkDownloaded(spec, dir);
  if (!path) throw new Error(`the SDK started its server but left no ${spec.sdkFilePrefix}* file in ${dir}`);
  return path;
}
