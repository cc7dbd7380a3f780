#!/usr/bin/env node
// `npm start`: install what is missing, then run the example Flock durably
// on Temporal (tools/scripts/demo.ts). Plain JavaScript: it must run before
// any dependency is installed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureDependencies, requireNode, root, tsxNodeArgs } from './install-deps.mjs';

requireNode('[start]');
ensureDependencies('[start]');

const demo = spawn(process.execPath, [...tsxNodeArgs, path.join(root, 'tools/scripts/demo.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.kill(signal));
demo.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
