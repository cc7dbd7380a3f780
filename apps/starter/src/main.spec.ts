/**
 * flockctl as a real process (from its sources): the command line answers
 * --version, --help and a wrong option without touching Temporal.
 */
import { runSource } from '@flock-ts/tools';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const FLOCKCTL = 'apps/starter/src/main.ts';
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

jest.setTimeout(60_000);

describe('flockctl process', () => {
  it('prints the package version with --version and exits 0', async () => {
    expect(await runSource(FLOCKCTL, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints the commands with --help and a command help with help <command>, exiting 0', async () => {
    const help = await runSource(FLOCKCTL, ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: flockctl <command> \[options\]\n/);
    expect(help.stdout).toContain('respond [options] <workflowId>');
    const run = await runSource(FLOCKCTL, ['help', 'run']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: flockctl run \[options\]\n/);
  });

  it('exits 2 on an unknown option, naming it once, with the command help to read', async () => {
    expect(await runSource(FLOCKCTL, ['status', 'some-run', '--agent', 'reader'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `flockctl: unknown option '--agent'\nRun "flockctl help status" for its options.\n`,
    });
  });
});
