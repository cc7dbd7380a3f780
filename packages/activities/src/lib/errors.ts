/** Errors of `@flock-ts/activities`; match by `name` or `code`. */

/** The worker has no flock of that name: the worker was started without the flock's module. */
export class FlockNotRegisteredError extends Error {
  override readonly name = 'FlockNotRegisteredError';
  readonly code = 'FLOCK_NOT_REGISTERED' as const;
  constructor(
    readonly flockName: string,
    readonly known: string[],
  ) {
    super(
      `This worker does not host flock "${flockName}" (it hosts: ${known.join(', ') || 'none'}). ` +
        `Start the worker with the module that defines it (flock-worker --flock <module>).`,
    );
  }
}
