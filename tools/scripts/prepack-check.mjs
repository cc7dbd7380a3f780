// The `prepack` script of every published package (npm runs it on `npm pack` and `npm publish`, so also
// under `nx release publish`): refuses to pack when a file the package.json points at is missing, so no
// tarball goes out without its build. Arguments name more files to require (the worker's workflow bundles).
// Run from the package's folder, as npm runs lifecycle scripts: node ../../tools/scripts/prepack-check.mjs [file...]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files `main`, `types`, `bin` and `exports` (every condition but the repository's source one) name. */
function entryFiles(manifest) {
  const files = [manifest.main, manifest.types];
  if (typeof manifest.bin === 'string') files.push(manifest.bin);
  else files.push(...Object.values(manifest.bin ?? {}));
  const walk = (target) => {
    if (typeof target === 'string') files.push(target);
    else if (target && typeof target === 'object') for (const [condition, value] of Object.entries(target)) if (condition !== '@flock-ts/source') walk(value);
  };
  walk(manifest.exports);
  return files.filter((file) => typeof file === 'string' && file !== './package.json');
}

const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const wanted = [...new Set([...entryFiles(manifest), ...process.argv.slice(2)].map((file) => file.replace(/^\.\//, '')))];
const missing = wanted.filter((file) => !existsSync(join(dir, file)));
if (missing.length > 0) {
  process.stderr.write(`${manifest.name}: not packing, the build is missing ${missing.join(', ')}: run npx nx run-many -t build first (npx nx build ${manifest.name})\n`);
  process.exit(1);
}
