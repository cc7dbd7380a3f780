import type { EvaluateAgentOutput, RunState } from '@flock-ts/contracts';
import { assertPayloadSize, assertSerializable, DEFAULT_PAYLOAD_GUARD_BYTES, SerializationError, type PayloadTooLargeError } from '@flock-ts/serialization';

/**
 * Fails a step whose result Temporal would refuse or mangle, before it is
 * sent: values the payload converter would drop (a function, a symbol, a
 * class instance: `SerializationError`), then the step's output and the run
 * state the next step (and the workflow result) will carry when over the
 * size limit (`PayloadTooLargeError`; Temporal would otherwise reject the
 * payload past its 2 MiB limit with a less telling error). Both name the
 * agent and are non-retryable: a retry produces the same value.
 */
export function guardStepPayloads(agent: string, outcome: EvaluateAgentOutput, state: RunState, limit = DEFAULT_PAYLOAD_GUARD_BYTES): void {
  try {
    assertSerializable(outcome.record.output, 'output');
    assertSerializable(outcome.variables, 'variables');
  } catch (error) {
    const cause = error as SerializationError;
    if (cause.name !== 'SerializationError') throw error;
    const stored = new SerializationError(
      'NOT_SERIALIZABLE',
      `Agent "${agent}" produced a value a Temporal run cannot store: ${cause.message}`,
      cause.path,
    );
    throw Object.assign(stored, { agent, nonRetryable: true });
  }
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
