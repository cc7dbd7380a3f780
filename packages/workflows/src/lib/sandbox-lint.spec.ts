import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The lint layer of the sandbox line: code in sandbox packages may not
 * import Node built-ins or Temporal's Node-only packages, nor use
 * nondeterministic globals. These lint a fixture as if it lived in src/.
 */
const workspaceRoot = path.resolve(__dirname, '../../../..');
const fixturePath = path.join(workspaceRoot, 'packages/workflows/src/lib/fixture.ts');

// ESLint loads its flat config with a dynamic import, which Jest's VM does
// not allow: run the real CLI in a child process instead.
async function lintAsSandboxCode(code: string): Promise<string[]> {
  const eslintBin = path.join(workspaceRoot, 'node_modules/eslint/bin/eslint.js');
  const run = spawnSync(process.execPath, [eslintBin, '--stdin', '--stdin-filename', fixturePath, '--format', 'json'], {
    cwd: workspaceRoot,
    input: code,
    encoding: 'utf8',
  });
  if (!run.stdout) throw new Error(`eslint produced no report: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ severity: number; ruleId: string; message: string }> }>;
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('sandbox lint rules', () => {
  it('rejects a Node built-in import in workflow code', async () => {
    const errors = await lintAsSandboxCode("import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: 'node:fs' import is restricted.*deterministic V8 isolate/)]);
  });

  it('rejects a bare built-in name too', async () => {
    const errors = await lintAsSandboxCode("import * as crypto from 'crypto';\nexport const c = crypto;\n");
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: 'crypto' import is restricted/)]);
  });

  it('rejects Temporal Node-only packages', async () => {
    const errors = await lintAsSandboxCode("import { Client } from '@temporalio/client';\nexport const c = Client;\n");
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^no-restricted-imports: .*@temporalio\/client.*may only import @temporalio\/workflow/)]));
  });

  it('rejects a Node-only workspace package (layer boundary)', async () => {
    const errors = await lintAsSandboxCode("import { Flock } from '@flock-ts/core';\nexport const f = Flock;\n");
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*layer:workflows.*layer:contracts/)]));
  });

  it('rejects Math.random and Date.now', async () => {
    const errors = await lintAsSandboxCode('export const r = Math.random() + Date.now();\n');
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.startsWith('no-restricted-properties'))).toBe(true);
  });

  it('accepts the workflow SDK', async () => {
    const errors = await lintAsSandboxCode("import { sleep } from '@temporalio/workflow';\nexport const s = sleep;\n");
    expect(errors).toEqual([]);
  });
});
