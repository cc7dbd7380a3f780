/** Errors of `flockctl`; match by `name` or `code`. */

/** The command line is wrong; `flockctl` exits with status 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'CLI_USAGE' as const;
}
