import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

// Process helpers of the apps' integration tests: run flock-worker and
// flockctl as real child processes from their TypeScript sources.

/** The workspace root: children run from it, as a user of the repository would. */
export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Node flags that run a workspace entry point from its TypeScript sources. */
const SOURCE_FLAGS = ['--conditions=@flock-ts/source', '--import', 'tsx'];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A long-running child (a worker) whose output the test can wait on. */
export interface ChildHandle {
  child: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <script> <args>` from the sources, in the workspace root. */
export function spawnSource(script: string, args: readonly string[], env: Record<string, string | undefined> = {}): ChildHandle {
  const child = spawn(process.execPath, [...SOURCE_FLAGS, script, ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const listener of listeners) listener();
    });
  });
  return {
    child,
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs = 90_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) done(resolve);
          else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`process ended before ${pattern}:\n${output}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Runs a CLI to completion and collects its output. */
export async function runSource(script: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [...SOURCE_FLAGS, script, ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout, stderr };
}

/** Stops a child: SIGTERM, then SIGKILL if it lingers. */
export async function stopChild(handle: ChildHandle, graceMs = 20_000): Promise<void> {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), graceMs);
  await handle.exited;
  clearTimeout(timer);
}

/** Polls `probe` until it returns a value. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The dev server the Jest global setup started. */
export function testServer(): { address: string; namespace: string; uiUrl?: string } {
  const address = process.env['FLOCK_TEST_TEMPORAL_ADDRESS'];
  if (!address) throw new Error('FLOCK_TEST_TEMPORAL_ADDRESS is not set: run through the Jest global setup');
  return { address, namespace: process.env['FLOCK_TEST_TEMPORAL_NAMESPACE'] ?? 'default', uiUrl: process.env['FLOCK_TEST_TEMPORAL_UI'] };
}
