import { RUN_FAILURE_TYPES } from '@flock-ts/engine';

/**
 * Failure types a Flock workflow raises (`ApplicationFailure.type`), by
 * name; each is the type of a `FlockRunFailedError` code of
 * `@flock-ts/engine`. Clients match on these strings (or on the code that
 * `runErrorCodeOfFailureType` gives): errors cross the workflow sandbox and
 * the wire, so `instanceof` cannot work. Failure details carry
 * `{ code, agent, causeType }`.
 */
export const FlockFailureType = {
  /** An agent step failed after its retries. */
  AgentFailed: RUN_FAILURE_TYPES.AGENT_FAILED,
  /** The run's agent steps reached `maxIterations` (often a hand-off cycle). */
  MaxIterationsExceeded: RUN_FAILURE_TYPES.MAX_ITERATIONS_EXCEEDED,
  /** A start agent or hand-off named an agent the flock does not have. */
  UnknownAgent: RUN_FAILURE_TYPES.UNKNOWN_AGENT,
  /** The workflow input does not satisfy the contract. */
  InvalidWorkflowInput: RUN_FAILURE_TYPES.INVALID_RUN_INPUT,
  /** A value the run would store is over the payload limit (v2). */
  PayloadTooLarge: RUN_FAILURE_TYPES.PAYLOAD_TOO_LARGE,
  /** The worker's flock differs from the run's definition (v2). */
  DefinitionDrift: RUN_FAILURE_TYPES.DEFINITION_DRIFT,
  /** A reviewer rejected an agent's output, or nobody approved it in time. */
  ApprovalRejected: RUN_FAILURE_TYPES.REJECTED,
  /** Nobody answered a human agent in time and it declares no fallback. */
  ResponseTimedOut: RUN_FAILURE_TYPES.RESPONSE_TIMED_OUT,
  /** The run (or one agent) spent more tokens or model calls than its `budget` allows. */
  BudgetExceeded: RUN_FAILURE_TYPES.BUDGET_EXCEEDED,
} as const;
export type FlockFailureType = (typeof FlockFailureType)[keyof typeof FlockFailureType];
