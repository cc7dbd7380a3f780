import { spawn } from 'node:child_process';

/** What a finished command left: its exit code and the tail of its output. */
export interface CommandResult {
  code: number | null;
  /** Last lines of stdout and stderr, interleaved, for error messages. */
  tail: string;
}

/**
 * Runs a command to completion, passing each output line to `onLine` (the
 * callers send it to stderr, so stdout stays clean for `temporal:path`).
 * Resolves with a `null` code and the spawn error as tail when the command
 * cannot be started at all.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number; onLine?: (line: string) => void } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const keep = (line: string) => {
      lines.push(line);
      if (lines.length > 40) lines.shift();
      options.onLine?.(line);
    };
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, uid: options.uid, gid: options.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        parts.forEach(keep);
      });
      stream.on('end', () => partial && keep(partial));
    }
    child.on('error', (error) => resolve({ code: null, tail: error.message }));
    child.on('close', (code) => resolve({ code, tail: lines.join('\n') }));
  });
}
