import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { findWorkspaceRoot } from './workspace';

// The README's "A Flock in code" is what users copy first: it must compile
// under `strict` as written, with no casts.
const root = findWorkspaceRoot();

function firstTypeScriptBlock(markdown: string): string {
  const match = /```ts\n([\s\S]*?)```/.exec(markdown);
  if (!match?.[1]) throw new Error('README.md has no ```ts block');
  return match[1];
}

function diagnosticsOf(code: string): string {
  // beside the packages, so their names resolve as a user's install would (to their sources here)
  const dir = mkdtempSync(path.join(root, 'tools', 'tmp-readme-'));
  try {
    const file = path.join(dir, 'readme.mts');
    writeFileSync(file, code);
    const base = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.base.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    const options: ts.CompilerOptions = {
      ...base?.options,
      strict: true,
      noEmit: true,
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      types: ['node'],
    };
    const program = ts.createProgram([file], options);
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file || !d.file);
    return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README code', () => {
  const block = firstTypeScriptBlock(readFileSync(path.join(root, 'README.md'), 'utf8'));

  it('"A Flock in code" compiles under strict, and reads the run result without a cast', () => {
    expect(block).not.toMatch(/\bas [A-Z]\w*|\bas unknown\b|\bString\(/);
    // the result is typed: the summarizer's output and where the run lives on Temporal
    expect(diagnosticsOf(`${block}\nconst words: number = result.output.words;\nconst workflowId: string = result.temporal.workflowId;\nexport { words, workflowId };\n`)).toBe('');
  });

  it('the check can fail: a wrong field type is reported', () => {
    expect(diagnosticsOf(`${block}\nconst words: string = result.output.words;\nexport { words };\n`)).toContain("Type 'number' is not assignable to type 'string'");
  });
});
