import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_CANCEL_WAIT_SECONDS, DEFAULT_LIST_LIMIT, EXIT, parseInput, parseStarterArgs } from './cli';

const COMMANDS = ['cancel', 'follow', 'list', 'pause', 'respond', 'result', 'resume', 'run', 'status', 'steps'];

/** The text `flockctl <argv>` prints, with line wrapping undone. */
function printed(argv: string[]): string {
  const command = parseStarterArgs(argv, '/');
  if (command.command !== 'print') throw new Error(`expected text to print, got ${command.command}`);
  return command.text.replace(/\s+/g, ' ');
}

/** Runs `fn` with exactly `env` as the environment. */
function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = process.env;
  process.env = { ...env };
  try {
    return fn();
  } finally {
    process.env = saved;
  }
}

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

  it('reads resume --max-tokens and --max-model-calls as the new budget limits, and refuses anything but a positive integer', () => {
    expect(parseStarterArgs(['resume', 'docs-r1', '--max-tokens', '20000'])).toEqual({ command: 'resume', workflowId: 'docs-r1', budget: { maxTokens: 20000 }, json: false });
    expect(parseStarterArgs(['resume', 'docs-r1', '--max-model-calls', '12', '--max-tokens', '900'])).toMatchObject({ budget: { maxTokens: 900, maxModelCalls: 12 } });
    expect(usageError(['resume', 'docs-r1', '--max-tokens', '0']).message).toBe('--max-tokens takes a positive integer (the new limit), got "0"');
    expect(usageError(['resume', 'docs-r1', '--max-model-calls', '2.5']).message).toBe('--max-model-calls takes a positive integer (the new limit), got "2.5"');
  });

  it('requires exactly one workflow id, pointing to the command help', () => {
    expect(usageError(['status']).message).toBe(`missing required argument 'workflowId'\nRun "flockctl help status" for its options.`);
    expect(usageError(['cancel', 'a', 'b']).message).toContain("too many arguments for 'cancel'. Expected 1 argument but got 2.");
    expect(usageError(['result', ' ']).message).toBe('the workflow id must not be empty');
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
    expect(printed(['steps', '--help'])).toContain('Usage: flockctl steps [options] <workflowId>');
  });

  it('requires exactly one workflow id for steps and rejects --follow elsewhere', () => {
    expect(usageError(['steps']).message).toContain("missing required argument 'workflowId'");
    expect(usageError(['steps', 'a', 'b']).message).toContain('flockctl help steps');
    expect(usageError(['status', 'x', '--follow']).message).toContain("unknown option '--follow'");
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

  it('rejects options of other commands with a usage error naming the option, pointing to the command help', () => {
    const error = usageError(['status', 'x', '--agent', 'reader']);
    expect(error).toMatchObject({ name: 'CliUsageError', code: 'CLI_USAGE' });
    // the whole message: no dangling quote, nothing after the pointer
    expect(error.message).toBe(`unknown option '--agent'\nRun "flockctl help status" for its options.`);
  });

  it('rejects an option without its value', () => {
    expect(usageError(['list', '--server']).message).toContain("option '--server <host:port>' argument missing");
  });

  it('rejects an unknown command, suggesting a close one and pointing to the commands', () => {
    const error = usageError(['statu']);
    expect(error.message).toContain("unknown command 'statu'");
    expect(error.message).toContain('(Did you mean status?)');
    expect(error.message).toContain('Run "flockctl help" for the commands.');
  });

  it('rejects positional arguments of run', () => {
    expect(usageError(['run', './flock.js']).message).toContain("too many arguments for 'run'");
  });

  it('rejects a server address with a scheme', () => {
    expect(usageError(['list', '--server', 'https://temporal:7233']).message).toContain('--server takes host:port without a scheme');
  });

  it('answers help in every form', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) expect(printed(argv)).toContain('Usage: flockctl <command> [options]');
    expect(printed(['help', 'run'])).toContain('Usage: flockctl run [options]');
    expect(printed(['list', '-h'])).toContain('Usage: flockctl list [options]');
    expect(printed(['cancel', 'w', '--help'])).toContain('Usage: flockctl cancel [options] <workflowId>');
    expect(usageError(['help', 'nope']).message).toBe(`unknown command 'nope'\nRun "flockctl help" for the commands.`);
  });

  it('prints the version of the package', () => {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(parseStarterArgs([flag])).toEqual({ command: 'print', text: `${version}\n` });
  });
});

describe('parseStarterArgs: the environment', () => {
  it('takes --server and --namespace from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, the options winning', () => {
    const env = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'flock-example' };
    expect(withEnv(env, () => parseStarterArgs(['status', 'w']))).toEqual({
      command: 'status',
      workflowId: 'w',
      server: 'temporal:7233',
      namespace: 'flock-example',
      json: false,
    });
    expect(withEnv(env, () => parseStarterArgs(['list', '--server', 'other:7233', '--namespace', 'ns']))).toMatchObject({ server: 'other:7233', namespace: 'ns' });
  });

  it("leaves them unset for run, where the flock's own settings come before the environment", () => {
    const env = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'flock-example', FLOCK_TASK_QUEUE: 'q' };
    expect(withEnv(env, () => parseStarterArgs(['run']))).toEqual({ command: 'run', wait: false, json: false });
  });

  it('treats an empty variable as unset, and names the variable a bad value came from', () => {
    expect(withEnv({ TEMPORAL_ADDRESS: ' ' }, () => parseStarterArgs(['status', 'w']))).not.toHaveProperty('server');
    expect(withEnv({ TEMPORAL_ADDRESS: 'http://temporal:7233' }, () => usageError(['status', 'w'])).message).toBe(
      'TEMPORAL_ADDRESS takes host:port without a scheme, e.g. temporal:7233 (got http://temporal:7233)',
    );
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
    expect(printed(['follow', '-h'])).toContain('Usage: flockctl follow [options] <workflowId>');
    expect(usageError(['follow']).message).toContain("missing required argument 'workflowId'");
    expect(usageError(['follow', 'a', '--input', '{}']).message).toContain("unknown option '--input'");
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
      expect(usageError(['respond', 'w', '--approve', `--step=${step}`]).message).toBe(`--step takes the step number flockctl prints (1 = the run's first step), got "${step}"`);
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

describe('help texts', () => {
  it('list every command', () => {
    const help = printed([]);
    for (const command of [...COMMANDS, 'help']) expect(help).toContain(` ${command} [`);
  });

  it('document every exit status', () => {
    for (const code of Object.values(EXIT)) expect(printed(['--help'])).toMatch(new RegExp(`[ ,:]${code} `));
    expect(printed(['help', 'follow'])).toContain('3 it was cancelled');
    expect(printed(['help', 'respond'])).toContain('refused (exit 4)');
    expect(printed(['help', 'cancel'])).toContain('(exit 5;');
  });

  it('document the connection options on every command, with the variables they fall back to', () => {
    for (const command of COMMANDS) {
      const help = printed(['help', command]);
      for (const option of ['--server', '--namespace', '--task-queue', '--json', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY']) {
        expect({ command, documents: help.includes(option) }).toEqual({ command, documents: true });
      }
    }
    expect(printed(['help', 'status'])).toContain('(env: TEMPORAL_ADDRESS)');
    expect(printed(['help', 'run'])).toContain('FLOCK_TASK_QUEUE');
  });
});
