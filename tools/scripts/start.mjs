#!/usr/bin/env node
// `npm start`: install what is missing, then run the example Flock durably
// on Temporal (tools/scripts/demo.ts). Plain JavaScript: it must run before
// any dependency is installed.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ensureDependencies, requireNode, root, tsxNodeArgs } from './install-deps.mjs';

requireNode('[start]');
ensureDependencies('[start]');

const demo = spawn(process.execPath, [...tsxNodeArgs, path.join(root, 'tools/scripts/demo.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// A Ctrl-C on a terminal reaches both processes; `kill <this pid>` only this
// one, hence the forwarding. demo.ts takes the first signal as "stop" and
// ignores repeats while it stops the dev server, so this process keeps
// waiting (a listener replaces Node's default exit) and ends with demo.ts.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.kill(signal));
demo.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
