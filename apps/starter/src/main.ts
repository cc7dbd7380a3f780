#!/usr/bin/env node
import { FlockRunsClient, type ResolvedConnection } from '@flock-ts/temporal';
import { parseStarterArgs, type StarterCommand } from './lib/cli';
import { executeCommand } from './lib/commands';
import { exampleFlocks } from './lib/examples';
import { withStarterTelemetry } from './lib/telemetry';
import { loadFlockModules } from '@flock-ts/temporal';

async function main(): Promise<number> {
  let command: StarterCommand;
  try {
    command = parseStarterArgs(process.argv.slice(2), process.cwd());
  } catch (error) {
    process.stderr.write(`flockctl: ${(error as Error).message}\n`);
    return 2;
  }
  // Ctrl-C while following stops following, not the run; a second Ctrl-C exits at once
  const interrupt = new AbortController();
  if (command.command === 'follow' || (command.command === 'run' && command.follow)) {
    process.on('SIGINT', () => {
      if (interrupt.signal.aborted) process.exit(130);
      interrupt.abort();
    });
  }
  const deps = {
    interrupt: interrupt.signal,
    env: process.env,
    cwd: process.cwd(),
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
    connect: (connection: ResolvedConnection) => FlockRunsClient.connect(connection),
    loadFlocks: (specifiers: readonly string[], cwd: string) => loadFlockModules(specifiers, cwd),
    exampleFlocks,
  };
  try {
    // OTEL_* variables turn tracing on: the command's span is the root of the run's trace
    return await withStarterTelemetry(command, () => executeCommand(command, deps));
  } catch (error) {
    // only the telemetry setup throws here: executeCommand reports its own errors
    process.stderr.write(`flockctl: ${(error as Error).message}\n`);
    return 2;
  }
}

// Exit explicitly: a loaded flock module may hold timers or sockets open.
void main().then((code) => process.exit(code));
