import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMMAND_USAGE, DEFAULT_CANCEL_WAIT_SECONDS, DEFAULT_LIST_LIMIT, EXIT, parseInput, parseStarterArgs, STARTER_USAGE } from './cli';

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

  it.each(['result', 'status', 'resume'] as const)('reads %s <workflowId>', (command) => {
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

describe('parseStarterArgs: talking to a running run', () => {
  it('reads follow <workflowId>, streaming text unless --no-text', () => {
    expect(parseStarterArgs(['follow', 'docs-r1'])).toEqual({ command: 'follow', workflowId: 'docs-r1', text: true, json: false });
    expect(parseStarterArgs(['follow', 'docs-r1', '--no-text', '--json', '--server', 'temporal:7233'])).toEqual({
      command: 'follow',
      workflowId: 'docs-r1',
      text: false,
      json: true,
      server: 'temporal:7233',
    });
    expect(parseStarterArgs(['follow', '-h'])).toEqual({ command: 'help', topic: 'follow' });
    expect(usageError(['follow']).message).toContain('follow takes one workflow id (got none)');
    expect(usageError(['follow', 'a', '--input', '{}']).message).toContain("'--input'");
  });

  it('reads run --follow, which streams text by default and excludes --wait', () => {
    expect(parseStarterArgs(['run', '--follow'])).toEqual({ command: 'run', wait: false, follow: true, text: true, json: false });
    expect(parseStarterArgs(['run', '-f', '--no-text'])).toMatchObject({ follow: true, text: false });
    expect(usageError(['run', '--follow', '--wait']).message).toContain('--wait and --follow both wait for the run: pick one');
    expect(usageError(['run', '--no-text']).message).toBe('--text / --no-text go with --follow');
  });

  it('reads respond --input as a human agent output, --step counted from 1 as printed and sent from 0', () => {
    expect(parseStarterArgs(['respond', 'docs-r1', '--input', '{"summary":"ok","score":3}', '--step', '4', '--by', 'alice'])).toEqual({
      command: 'respond',
      workflowId: 'docs-r1',
      response: { output: { summary: 'ok', score: 3 }, step: 3, by: 'alice' },
      json: false,
    });
  });

  it('reads respond --input @file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flockctl-respond-'));
    try {
      writeFileSync(path.join(dir, 'answer.json'), '{"summary":"from a file"}');
      expect(parseStarterArgs(['respond', 'w', '--input', '@answer.json'], dir)).toMatchObject({ response: { output: { summary: 'from a file' } } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads respond --approve and --reject with a comment', () => {
    expect(parseStarterArgs(['respond', 'w', '--approve'])).toMatchObject({ response: { approved: true } });
    expect(parseStarterArgs(['respond', 'w', '--approve', '--comment', 'fine'])).toMatchObject({ response: { approved: true, comment: 'fine' } });
    expect(parseStarterArgs(['respond', 'w', '--reject', '--comment', 'too long', '--step', '1', '--json'])).toEqual({
      command: 'respond',
      workflowId: 'w',
      response: { approved: false, comment: 'too long', step: 0 },
      json: true,
    });
  });

  it('takes exactly one of --input, --approve, --reject', () => {
    expect(usageError(['respond', 'w']).message).toBe("respond needs one of --input <json> (a human agent's output), --approve or --reject");
    expect(usageError(['respond', 'w', '--approve', '--reject']).message).toBe('respond takes one of --input, --approve, --reject (got --approve and --reject)');
    expect(usageError(['respond', 'w', '--input', '{}', '--approve']).message).toContain('got --input and --approve');
    expect(usageError(['respond', 'w', '--input', '{}', '--comment', 'x']).message).toContain('--comment goes with --approve or --reject');
  });

  it('names the flag when the --input of respond is not a JSON object', () => {
    const error = usageError(['respond', 'w', '--input', '{summary: ok}']);
    expect(error.name).toBe('CliUsageError');
    expect(error.message).toMatch(/^--input is not valid JSON: /);
    expect(usageError(['respond', 'w', '--input', '"ok"']).message).toContain('--input must be a JSON object');
  });

  it('refuses a --step that is not a step number flockctl prints', () => {
    for (const step of ['0', '-1', 'two', '1.5']) {
      expect(usageError(['respond', 'w', '--approve', `--step=${step}`]).message).toBe(
        `--step takes the step number flockctl prints (1 = the run's first step), got "${step}"`,
      );
    }
  });

  it('reads pause with a reason', () => {
    expect(parseStarterArgs(['pause', 'w', '--reason', 'budget review'])).toEqual({ command: 'pause', workflowId: 'w', reason: 'budget review', json: false });
    expect(parseStarterArgs(['pause', 'w'])).toEqual({ command: 'pause', workflowId: 'w', json: false });
    expect(usageError(['pause', 'w', '--reason', ' ']).message).toBe('--reason must not be empty');
  });

  it('reads cancel, waiting 30 s by default or --wait seconds', () => {
    expect(DEFAULT_CANCEL_WAIT_SECONDS).toBe(30);
    expect(parseStarterArgs(['cancel', 'w'])).toEqual({ command: 'cancel', workflowId: 'w', waitSeconds: 30, json: false });
    expect(parseStarterArgs(['cancel', 'w', '--wait', '2.5'])).toMatchObject({ waitSeconds: 2.5 });
    expect(parseStarterArgs(['cancel', 'w', '--wait', '0'])).toMatchObject({ waitSeconds: 0 });
    for (const wait of ['-1', 'soon', '']) {
      expect(usageError(['cancel', 'w', `--wait=${wait}`]).message).toContain('--wait takes the seconds to wait for the run to end (0 or more)');
    }
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
    const commands = ['cancel', 'follow', 'list', 'pause', 'respond', 'result', 'resume', 'run', 'status', 'steps'];
    for (const command of commands) expect(STARTER_USAGE).toContain(`  ${command} `);
    expect(Object.keys(COMMAND_USAGE).sort()).toEqual(commands);
  });

  it('document every exit status', () => {
    for (const code of Object.values(EXIT)) expect(STARTER_USAGE).toMatch(new RegExp(`(^|[ ,:])${code} `, 'm'));
    expect(COMMAND_USAGE['follow']).toContain('3 it was cancelled');
    expect(COMMAND_USAGE['respond']).toContain('refused (exit 4)');
    expect(COMMAND_USAGE['cancel']).toContain('(exit 5;');
  });

  it('document the connection options on every command', () => {
    for (const usage of Object.values(COMMAND_USAGE)) {
      for (const option of ['--server', '--namespace', '--task-queue', '--json']) expect(usage).toContain(option);
    }
  });
});
