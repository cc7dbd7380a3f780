import { InvalidResponseError, InvalidRunCommandError } from '@flock-ts/engine';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { endedPhase, refusalOf } from './temporal-run';

describe('refusalOf', () => {
  const refused = (type: string, message: string, details?: unknown[]) =>
    new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message, ...(details ? { details } : {}) }));

  it("is the validator's InvalidResponseError, by failure type, with its message and issues", () => {
    const error = refusalOf(refused('InvalidResponseError', 'output.verdict: expected string', [{ issues: ['output.verdict: expected string'] }]), InvalidResponseError);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ name: 'InvalidResponseError', message: 'output.verdict: expected string', issues: ['output.verdict: expected string'] });
    expect((error as Error).cause).toBeInstanceOf(WorkflowUpdateFailedError);
  });

  it("is the validator's InvalidRunCommandError for pause and resume", () => {
    expect(refusalOf(refused('InvalidRunCommandError', 'The run is not paused'), InvalidRunCommandError)).toMatchObject({
      name: 'InvalidRunCommandError',
      message: 'The run is not paused',
    });
  });

  it('leaves other failures alone', () => {
    expect(refusalOf(refused('InvalidRunCommandError', 'x'), InvalidResponseError)).toBeUndefined();
    expect(refusalOf(refused('ReferenceError', 'No registered handler for update: flock.respond'), InvalidResponseError)).toBeUndefined();
    expect(refusalOf(new Error('network'), InvalidResponseError)).toBeUndefined();
  });
});

describe('endedPhase', () => {
  it.each([
    ['COMPLETED', 'completed'],
    ['CANCELLED', 'cancelled'],
    ['FAILED', 'failed'],
    ['TERMINATED', 'failed'],
    ['TIMED_OUT', 'failed'],
    ['RUNNING', undefined],
  ] as const)('maps %s to %s', (status, phase) => {
    expect(endedPhase(status)).toBe(phase);
  });
});
