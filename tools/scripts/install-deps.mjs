// Shared by `npm start` (start.mjs) and `npm test` (test.mjs): what they need
// before any dependency is installed. Plain JavaScript, Node built-ins only.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (this file is tools/scripts/install-deps.mjs). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `node --conditions=@flock-ts/source --import tsx`: how the TypeScript scripts under tools/scripts run. */
export const tsxNodeArgs = ['--conditions=@flock-ts/source', '--import', 'tsx'];

/** Ends the process, saying so, on a Node.js older than package.json's engines (20.19). */
export function requireNode(tag) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    process.stderr.write(`${tag} Node.js 20.19 or newer is needed; this is ${process.version} (${process.execPath}).\n`);
    process.exit(1);
  }
}

/**
 * `npm ci` when node_modules is missing or older than package-lock.json
 * (npm writes node_modules/.package-lock.json on every install); ends the
 * process with npm's exit code when it fails.
 */
export function ensureDependencies(tag) {
  const installed = path.join(root, 'node_modules/.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  process.stderr.write(`${tag} installing dependencies (npm ci)...\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (install.status !== 0) {
    process.stderr.write(`${tag} npm ci failed${install.error ? `: ${install.error.message}` : ` (exit code ${install.status ?? install.signal})`}\n`);
    process.exit(install.status || 1);
  }
}
