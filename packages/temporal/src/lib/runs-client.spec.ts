import { describeStall, flockRunsQuery, phaseOfExecutionStatus, quoteVisibilityValue } from './runs-client';

describe('flockRunsQuery', () => {
  it('matches every Flock run without a filter', () => {
    expect(flockRunsQuery()).toBe('FlockName IS NOT NULL');
  });

  it('combines the flock name and session filters', () => {
    expect(flockRunsQuery({ flockName: 'docs', sessionId: 's1' })).toBe("FlockName = 'docs' AND SessionId = 's1'");
  });

  it('doubles single quotes so a value cannot end the literal', () => {
    expect(flockRunsQuery({ sessionId: "x' OR FlockName IS NOT NULL OR 'y" })).toBe("FlockName IS NOT NULL AND SessionId = 'x'' OR FlockName IS NOT NULL OR ''y'");
  });

  it('narrows values with a backslash or double quote by their prefix only', () => {
    expect(flockRunsQuery({ flockName: 'docs', sessionId: "it's\\here" })).toBe("FlockName = 'docs' AND SessionId STARTS_WITH 'it''s'");
    expect(flockRunsQuery({ flockName: 'docs', sessionId: '"quoted"' })).toBe("FlockName = 'docs' AND SessionId IS NOT NULL");
  });

  it('filters by task queue', () => {
    expect(flockRunsQuery({ taskQueue: 'agent-tasks' })).toBe("FlockName IS NOT NULL AND TaskQueue = 'agent-tasks'");
  });
});

describe('quoteVisibilityValue', () => {
  it('quotes with single quotes', () => {
    expect(quoteVisibilityValue('a b')).toBe("'a b'");
  });
});

describe('phaseOfExecutionStatus', () => {
  it.each([
    ['RUNNING', 'running'],
    ['COMPLETED', 'completed'],
    ['FAILED', 'failed'],
    ['CANCELLED', 'cancelled'],
    ['TERMINATED', 'terminated'],
    ['TIMED_OUT', 'timed-out'],
  ] as const)('maps %s to %s', (status, phase) => {
    expect(phaseOfExecutionStatus(status)).toBe(phase);
  });
});

describe('describeStall', () => {
  it('names the queue nobody polls, the agent and how long its step has waited', () => {
    expect(describeStall({ taskQueue: 'gpu', kind: 'activity', agent: 'ranker', scheduledSecondsAgo: 12 })).toBe(
      'no worker polls task queue gpu (agent ranker scheduled 12 s ago)',
    );
    expect(describeStall({ taskQueue: 'gpu', kind: 'activity' })).toBe('no worker polls task queue gpu (a step scheduled)');
    expect(describeStall({ taskQueue: 'main', kind: 'workflow' })).toBe("no worker polls task queue main (the run's workflow tasks wait there)");
  });
});
