import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** True when `path` is a regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first executable called `command` in the folders of `pathVariable`
 * (a `PATH` value), as the shell would pick it; `undefined` when none.
 */
export function findOnPath(command: string, pathVariable: string | undefined): string | undefined {
  if (!pathVariable) return undefined;
  const names = process.platform === 'win32' ? [`${command}.exe`, command] : [command];
  for (const dir of pathVariable.split(delimiter)) {
    // An empty or relative PATH entry means "relative to the cwd": the shell
    // honours it, but a tool that returns absolute paths must not.
    if (!dir || !isAbsolute(dir)) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}
