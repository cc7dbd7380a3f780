import { formatPrettyLine } from './pretty';

describe('formatPrettyLine', () => {
  it('formats a pino record as time, level, message and fields', () => {
    expect(formatPrettyLine('{"level":"info","time":"2025-01-01T10:00:00.000Z","pid":1,"msg":"hi","agent":"reader","metrics":{"n":1}}\n')).toBe(
      '10:00:00.000 INFO  hi agent=reader metrics={"n":1}\n',
    );
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatPrettyLine('plain text\n')).toBe('plain text\n');
  });
});
