import pino from 'pino';
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

  describe('task tokens', () => {
    /** A plain pino logger: what toTemporalLogger shows does not depend on createLogger's own secret stripping. */
    function plainPino() {
      const lines: string[] = [];
      const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
      return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), text: () => lines.join('') };
    }
    const TOKEN = 'CiQwMWEyMTg2Ni1kNzk4LTcxMmYtOGFmYy0yZGZhMmE4ZDcxYTESJmYtZGQy';

    it("shows the activity records' taskToken as [redacted], keeping the other fields", () => {
      const { logger, records, text } = plainPino();
      toTemporalLogger(logger).info('Agent step completed', { activityType: 'runAgentStep', attempt: 1, taskToken: TOKEN });
      expect(records()[0]).toMatchObject({ msg: 'Agent step completed', activityType: 'runAgentStep', attempt: 1, taskToken: '[redacted]' });
      expect(text()).not.toContain(TOKEN);
    });

    it("redacts Core's task_token field and base64TaskToken", () => {
      const { logger, records, text } = plainPino();
      toTemporalLogger(logger).warn('Activity heartbeat failed.', { sdkComponent: 'core', task_token: TOKEN, base64TaskToken: TOKEN });
      expect(records()[0]).toMatchObject({ task_token: '[redacted]', base64TaskToken: '[redacted]' });
      expect(text()).not.toContain(TOKEN);
    });

    it('redacts tokens nested in objects and protobuf messages (the Nexus task of a trace record), as their JSON form', () => {
      const { logger, records, text } = plainPino();
      class PollResponse {
        constructor(readonly taskToken: Uint8Array) {}
        toJSON() {
          return { taskToken: Buffer.from(this.taskToken).toString('base64'), request: { header: { 'request-id': 'r1' } } };
        }
      }
      const bytes = Buffer.from('a task token of bytes');
      toTemporalLogger(logger).trace('Got Nexus task', { taskToken: TOKEN, task: new PollResponse(bytes), list: [{ taskToken: TOKEN }] });
      expect(records()[0]).toMatchObject({
        taskToken: '[redacted]',
        task: { taskToken: '[redacted]', request: { header: { 'request-id': 'r1' } } },
        list: [{ taskToken: '[redacted]' }],
      });
      expect(text()).not.toContain(TOKEN);
      expect(text()).not.toContain(bytes.toString('base64'));
    });

    it("redacts a token written in a string (an error record's task JSON) and the whole protobuf task in taskEncoded", () => {
      const { logger, records, text } = plainPino();
      const task = JSON.stringify({ taskToken: TOKEN, start: { activityType: 'runAgentStep' } });
      toTemporalLogger(logger).error('Error while processing ActivityTask.start: boom', { task, taskEncoded: Buffer.from(task).toString('base64'), error: new Error('boom') });
      const record = records()[0];
      expect(JSON.parse(record['task'] as string)).toEqual({ taskToken: '[redacted]', start: { activityType: 'runAgentStep' } });
      expect(record).toMatchObject({ taskEncoded: '[redacted]', err: { message: 'boom' } });
      expect(text()).not.toContain(TOKEN);
    });

    it('redacts task_token=... in the message and leaves a text without one as it was', () => {
      const { logger, records } = plainPino();
      const temporal = toTemporalLogger(logger);
      temporal.warn(`Activity not found on completing task_token=${TOKEN}, details: gone`);
      temporal.info('Worker state changed', { state: 'RUNNING', tokens: 3 });
      expect(records().map((r) => r['msg'])).toEqual(['Activity not found on completing task_token=[redacted], details: gone', 'Worker state changed']);
      expect(records()[1]).toMatchObject({ state: 'RUNNING', tokens: 3 });
    });

    it('redacts an object met twice both times, and cuts a cycle', () => {
      const { logger, records, text } = plainPino();
      const shared = { taskToken: TOKEN };
      const cyclic: Record<string, unknown> = { name: 'loop', taskToken: TOKEN };
      cyclic['self'] = cyclic;
      toTemporalLogger(logger).info('x', { first: shared, second: [shared], cyclic });
      expect(records()[0]).toMatchObject({ first: { taskToken: '[redacted]' }, second: [{ taskToken: '[redacted]' }], cyclic: { name: 'loop', self: '[Circular]' } });
      expect(text()).not.toContain(TOKEN);
    });

    it('keeps dates and byte arrays that hold no token as they are', () => {
      const { logger, records } = plainPino();
      toTemporalLogger(logger).info('x', { at: new Date('2026-01-01T00:00:00Z'), data: { bytes: new Uint8Array([1, 2]) } });
      expect(records()[0]).toMatchObject({ at: '2026-01-01T00:00:00.000Z', data: { bytes: { '0': 1, '1': 2 } } });
    });
  });
});
