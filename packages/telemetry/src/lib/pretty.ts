// One readable line per pino JSON record: time, level, [name], message, then
// the other fields as key=value (objects as compact JSON).

const HIDDEN = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/**
 * Formats one pino JSON line for people; a line that is not JSON passes unchanged.
 *
 * @example
 * formatPrettyLine('{"level":"info","time":"2025-01-01T10:00:00.000Z","msg":"hi","agent":"reader"}\n')
 * // => '10:00:00.000 INFO  hi agent=reader\n'
 */
export function formatPrettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record['time'] === 'string' ? record['time'].slice(11, 23) : '';
  const level = String(record['level'] ?? '')
    .toUpperCase()
    .padEnd(5);
  const name = record['name'] ? `[${String(record['name'])}] ` : '';
  const err = record['err'] as { message?: string; stack?: string } | undefined;
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && key !== 'err' && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  if (err?.message !== undefined) fields.push(`err=${formatValue(err.message)}`);
  const head = [time, level, `${name}${String(record['msg'] ?? '')}`, ...fields].filter(Boolean).join(' ');
  // a stack reads best as it was printed, below the line
  return err?.stack ? `${head}\n${indent(err.stack)}\n` : `${head}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
