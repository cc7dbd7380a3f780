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

/**
 * A step recorded call by call (`durability: 'call'`) reached an agent
 * whose evaluator makes no model calls of its own (`modelTurn`): the
 * worker's flock has another evaluator than the definition said. Not retryable.
 */
export class NoModelTurnsError extends FlockError<'NO_MODEL_TURNS'> {
  static {
    FlockError.named(this, 'NoModelTurnsError');
  }
  constructor(
    readonly agent: string,
    kind: string,
  ) {
    super(
      'NO_MODEL_TURNS',
      `Agent "${agent}" runs with durability 'call', but its evaluator (kind "${kind}") makes no model calls one by one: give it a modelEvaluator, or drop durability 'call'`,
      {
        nonRetryable: true,
      },
    );
  }
}
