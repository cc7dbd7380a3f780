import { createLogger } from './logger';
import { toTemporalLogger } from './temporal-logger';

function jsonLogger(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ name: 'flock-worker', format: 'json', level, destination: { write: (line) => lines.push(line) } });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('toTemporalLogger', () => {
  it("writes the SDK's activity meta (activity type, attempt, workflow id) as fields of the record", () => {
    const { logger, records } = jsonLogger();
    const meta = { sdkComponent: 'activity', activityType: 'evaluateAgent', attempt: 2, workflowId: 'docs-1', workflowRunId: 'r', [Symbol('ts')]: 1n };
    toTemporalLogger(logger).log('INFO', 'Activity started', meta);
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'Activity started', activityType: 'evaluateAgent', attempt: 2, workflowId: 'docs-1', sdkComponent: 'activity' }),
    ]);
  });

  it('maps Temporal levels to the logger levels and honours its threshold', () => {
    const { logger, records } = jsonLogger();
    const temporal = toTemporalLogger(logger);
    temporal.trace('t');
    temporal.debug('d');
    temporal.info('i');
    temporal.warn('w');
    temporal.error('e');
    expect(records().map((r) => [r['level'], r['msg']])).toEqual([
      ['info', 'i'],
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('serializes an `error` meta field as an error, with message and stack', () => {
    const { logger, records } = jsonLogger();
    toTemporalLogger(logger).warn('Activity failed', { error: new Error('boom') });
    expect(records()[0]).toMatchObject({ err: { message: 'boom', stack: expect.stringContaining('Error: boom') } });
  });

  it('redacts secrets in the meta', () => {
    const { logger, records } = jsonLogger();
    toTemporalLogger(logger).info('Connecting', { apiKey: 'k-123', taskToken: 'abc' });
    expect(records()[0]).toMatchObject({ apiKey: '[redacted]', taskToken: '[redacted]' });
  });
});
