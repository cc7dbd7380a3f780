#!/usr/bin/env node
// The `flockctl` command. An installed package runs its build; inside the Flock repository before a
// build (no dist/ yet), it runs the TypeScript source through tsx's CLI, which passes the arguments on and
// relays SIGINT/SIGTERM and the exit code of the process it starts. apps/worker/bin/flock-worker.js is the same.
'use strict';
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'main.js');
const source = join(root, 'src', 'main.ts');

if (existsSync(built) || !existsSync(source)) {
  require(built);
} else {
  const tsxPackage = require.resolve('tsx/package.json', { paths: [root] });
  const tsxCli = join(dirname(tsxPackage), require(tsxPackage).bin);
  process.argv = [process.argv[0], tsxCli, '--conditions=@flock-ts/source', source, ...process.argv.slice(2)];
  import(pathToFileURL(tsxCli).href);
}
