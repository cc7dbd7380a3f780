/** Errors of `flock-worker`; match by `name` or `code`. */

/** The command line (or an environment variable standing in for an option) is wrong. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'CLI_USAGE' as const;
}
