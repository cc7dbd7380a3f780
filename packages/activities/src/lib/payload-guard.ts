import type { EvaluateAgentOutput, RunState } from '@flock-ts/contracts';
import { assertPayloadSize, DEFAULT_PAYLOAD_GUARD_BYTES, PayloadTooLargeError } from '@flock-ts/serialization';

/**
 * Fails a step whose result Temporal would refuse, before it is sent: the
 * step's output, and the run state the next step (and the workflow result)
 * will carry. The error names the agent and is non-retryable (a retry
 * produces the same bytes); Temporal would otherwise reject the payload
 * past its 2 MiB limit with a less telling error.
 */
export function guardStepPayloads(agent: string, outcome: EvaluateAgentOutput, state: RunState, limit = DEFAULT_PAYLOAD_GUARD_BYTES): void {
  const hint = 'return a reference to large data (a URL, a file path, a blob store key) instead of the data itself';
  try {
    assertPayloadSize(outcome, { subject: `Output of agent "${agent}"`, limit, hint });
    const next: RunState = { ...state, history: [...state.history, outcome.record], variables: outcome.variables };
    assertPayloadSize(next, {
      subject: `Run state after agent "${agent}" (${next.history.length} steps)`,
      limit,
      hint: `${hint}, or end the run sooner (each step's inputs and output stay in the run state)`,
    });
  } catch (error) {
    const tooLarge = error as PayloadTooLargeError;
    if (tooLarge.name === 'PayloadTooLargeError') throw Object.assign(tooLarge, { agent, nonRetryable: true });
    throw error;
  }
}
