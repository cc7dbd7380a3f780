import { runErrorCodeOfFailureType } from '@flock-ts/engine';
import { FlockFailureType } from './errors';

describe('FlockFailureType', () => {
  it('names the failure of a run past its budget, which clients read back as BUDGET_EXCEEDED', () => {
    expect(FlockFailureType.BudgetExceeded).toBe('BudgetExceededError');
    expect(runErrorCodeOfFailureType(FlockFailureType.BudgetExceeded)).toBe('BUDGET_EXCEEDED');
  });

  it('gives every failure type its own code', () => {
    const codes = Object.values(FlockFailureType).map(runErrorCodeOfFailureType);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
