import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMMAND_USAGE, DEFAULT_LIST_LIMIT, parseInput, parseStarterArgs, STARTER_USAGE } from './cli';

function usageError(argv: string[]): Error {
  try {
    parseStarterArgs(argv, '/');
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a usage error');
}

describe('parseStarterArgs', () => {
  it('reads a full run command line', () => {
    expect(
      parseStarterArgs([
        'run',
        '--flock',
        './flock.js',
        '--agent',
        'reader',
        '--input',
        '{"folder":"docs"}',
        '--session',
        's1',
        '--run-id',
        'r1',
        '--wait',
        '--json',
        '--server',
        'temporal:7233',
        '--namespace',
        'flock-example',
        '--task-queue',
        'agent-tasks',
      ]),
    ).toEqual({
      command: 'run',
      flockModule: './flock.js',
      agent: 'reader',
      input: { folder: 'docs' },
      sessionId: 's1',
      runId: 'r1',
      wait: true,
      json: true,
      server: 'temporal:7233',
      namespace: 'flock-example',
      taskQueue: 'agent-tasks',
    });
  });

  it('does not wait by default, and --no-wait says so explicitly', () => {
    expect(parseStarterArgs(['run'])).toEqual({ command: 'run', wait: false, json: false });
    expect(parseStarterArgs(['run', '--wait', '--no-wait'])).toMatchObject({ wait: false });
  });

  it('picks a flock by name with --flock-name', () => {
    expect(parseStarterArgs(['run', '--flock', 'pkg', '--flock-name', 'docs'])).toMatchObject({ flockModule: 'pkg', flockName: 'docs' });
  });

  it.each(['result', 'status', 'cancel'] as const)('reads %s <workflowId>', (command) => {
    expect(parseStarterArgs([command, 'docs-r1', '--json', '--namespace', 'ns'])).toEqual({
      command,
      workflowId: 'docs-r1',
      json: true,
      namespace: 'ns',
    });
  });

  it('requires exactly one workflow id', () => {
    expect(usageError(['status']).message).toContain('status takes one workflow id (got none)');
    expect(usageError(['cancel', 'a', 'b']).message).toContain('cancel takes one workflow id (got a b)');
  });

  it('reads steps <workflowId>, not following by default', () => {
    expect(parseStarterArgs(['steps', 'docs-r1'])).toEqual({ command: 'steps', workflowId: 'docs-r1', follow: false, json: false });
    expect(parseStarterArgs(['steps', 'docs-r1', '--follow', '--json', '--server', 'temporal:7233'])).toEqual({
      command: 'steps',
      workflowId: 'docs-r1',
      follow: true,
      json: true,
      server: 'temporal:7233',
    });
    expect(parseStarterArgs(['steps', '-f', 'docs-r1', '--no-follow'])).toMatchObject({ follow: false });
    expect(parseStarterArgs(['steps', '--help'])).toEqual({ command: 'help', topic: 'steps' });
  });

  it('requires exactly one workflow id for steps and rejects --follow elsewhere', () => {
    expect(usageError(['steps']).message).toContain('steps takes one workflow id (got none)');
    expect(usageError(['steps', 'a', 'b']).message).toContain('Usage: flockctl steps <workflowId>');
    expect(usageError(['status', 'x', '--follow']).message).toContain("'--follow'");
  });

  it('reads list filters', () => {
    expect(parseStarterArgs(['list', '--flock-name', 'docs', '--session', 's1', '--limit', '5', '--task-queue', 'q'])).toEqual({
      command: 'list',
      flockName: 'docs',
      sessionId: 's1',
      limit: 5,
      taskQueue: 'q',
      json: false,
    });
  });

  it('lists the default number of runs', () => {
    expect(parseStarterArgs(['list'])).toMatchObject({ limit: DEFAULT_LIST_LIMIT });
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(usageError(['list', '--limit', '0']).message).toBe('--limit must be a positive integer, got "0"');
    expect(usageError(['list', '--limit', 'ten']).name).toBe('CliUsageError');
  });

  it('rejects options of other commands, pointing to the command help', () => {
    const error = usageError(['status', 'x', '--agent', 'reader']);
    expect(error.message).toContain("'--agent'");
    expect(error.message).toContain('flockctl help status');
  });

  it('rejects an unknown command, showing the commands', () => {
    const error = usageError(['start']);
    expect(error.message).toContain('unknown command "start"');
    expect(error.message).toContain('Commands:');
  });

  it('rejects a server address with a scheme', () => {
    expect(usageError(['list', '--server', 'https://temporal:7233']).message).toContain('without a scheme');
  });

  it('answers help in every form', () => {
    expect(parseStarterArgs([])).toEqual({ command: 'help' });
    expect(parseStarterArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseStarterArgs(['help', 'run'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseStarterArgs(['list', '-h'])).toEqual({ command: 'help', topic: 'list' });
    expect(usageError(['help', 'nope']).message).toContain('unknown command "nope"');
  });
});

describe('parseInput', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flockctl-input-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses an inline JSON object', () => {
    expect(parseInput('{"n": 6}', dir)).toEqual({ n: 6 });
  });

  it('reads @file relative to the working directory', () => {
    writeFileSync(path.join(dir, 'input.json'), '{"folder": "docs"}');
    expect(parseInput('@input.json', dir)).toEqual({ folder: 'docs' });
  });

  it('rejects JSON that is not an object', () => {
    expect(() => parseInput('[1]', dir)).toThrow('--input must be a JSON object');
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseInput("{folder: 'x'}", dir)).toThrow(/--input is not valid JSON/);
  });

  it('names a missing input file', () => {
    expect(() => parseInput('@missing.json', dir)).toThrow(`--input file ${path.join(dir, 'missing.json')} cannot be read`);
  });
});

describe('usage texts', () => {
  it('list every command', () => {
    for (const command of ['run', 'result', 'status', 'steps', 'list', 'cancel']) expect(STARTER_USAGE).toContain(`  ${command} `);
    expect(Object.keys(COMMAND_USAGE).sort()).toEqual(['cancel', 'list', 'result', 'run', 'status', 'steps']);
  });

  it('document the connection options on every command', () => {
    for (const usage of Object.values(COMMAND_USAGE)) {
      for (const option of ['--server', '--namespace', '--task-queue', '--json']) expect(usage).toContain(option);
    }
  });
});
