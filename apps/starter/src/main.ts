#!/usr/bin/env node
import { FlockRunsClient } from '@flock-ts/temporal';
import { parseStarterArgs, type StarterCommand } from './lib/cli';
import { executeCommand } from './lib/commands';
import { exampleFlocks } from './lib/examples';
import { loadFlockModules } from '@flock-ts/temporal';

async function main(): Promise<number> {
  let command: StarterCommand;
  try {
    command = parseStarterArgs(process.argv.slice(2), process.cwd());
  } catch (error) {
    process.stderr.write(`flockctl: ${(error as Error).message}\n`);
    return 2;
  }
  return executeCommand(command, {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    connect: (connection) => FlockRunsClient.connect(connection),
    loadFlocks: (specifiers, cwd) => loadFlockModules(specifiers, cwd),
    exampleFlocks,
  });
}

// Exit explicitly: a loaded flock module may hold timers or sockets open.
void main().then((code) => process.exit(code));
