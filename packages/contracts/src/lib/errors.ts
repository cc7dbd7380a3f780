/**
 * Failure types a Flock workflow raises (`ApplicationFailure.type`). Clients
 * match on these strings: errors cross the workflow sandbox and the wire,
 * so `instanceof` cannot work.
 */
export const FlockFailureType = {
  /** An agent step failed after its retries; details carry `{ agent }`. */
  AgentFailed: 'AgentExecutionError',
  /** The run's agent steps reached `maxIterations` (often a hand-off cycle). */
  MaxIterationsExceeded: 'MaxIterationsExceededError',
  /** A start agent or hand-off named an agent the flock does not have. */
  UnknownAgent: 'UnknownAgentError',
  /** The workflow input does not satisfy the contract. */
  InvalidWorkflowInput: 'InvalidWorkflowInputError',
} as const;
export type FlockFailureType = (typeof FlockFailureType)[keyof typeof FlockFailureType];
