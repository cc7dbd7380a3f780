/** Errors of `@flock-ts/activities`: {@link FlockError}s. */
import { FlockError } from '@flock-ts/config';

/**
 * The worker has no flock of that name: the worker was started without the
 * flock's module. Retryable: another worker on the queue may host it.
 */
export class FlockNotRegisteredError extends FlockError<'FLOCK_NOT_REGISTERED'> {
  static {
    FlockError.named(this, 'FlockNotRegisteredError');
  }
  constructor(
    readonly flockName: string,
    readonly known: string[],
  ) {
    super(
      'FLOCK_NOT_REGISTERED',
      `This worker does not host flock "${flockName}" (it hosts: ${known.join(', ') || 'none'}). ` +
        `Start the worker with the module that defines it (flock-worker --flock <module>).`,
    );
  }
}
