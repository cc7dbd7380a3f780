import * as path from 'node:path';
import * as ts from 'typescript';

// The compile-time tests of ../../type-tests: typed usage that must compile
// without casts, and lines marked `// @ts-expect-error -- <message>` that
// must fail with that message.
const folder = path.resolve(__dirname, '../../type-tests');
const MARKER = '// @ts-expect-error';

interface Expected {
  file: string;
  /** 0-based line the error must start on: the line after the marker. */
  line: number;
  message: string;
}

function parseConfig(): ts.ParsedCommandLine {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(folder, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!config) throw new Error(`no tsconfig.json in ${folder}`);
  return config;
}

const isFixture = (file: string) => path.resolve(file).startsWith(folder + path.sep);

/** Compiles the fixtures, with `@ts-expect-error` markers disarmed when `disarm` is set. */
function compile(config: ts.ParsedCommandLine, disarm: boolean, oldProgram?: ts.Program): ts.Program {
  const host = ts.createCompilerHost(config.options);
  if (disarm) {
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (file, languageVersion, ...rest) => {
      if (!isFixture(file)) return getSourceFile(file, languageVersion, ...rest);
      const text = ts.sys.readFile(file) ?? '';
      return ts.createSourceFile(file, text.split(MARKER).join('// disarmed expect-error'), languageVersion);
    };
  }
  return ts.createProgram({ rootNames: config.fileNames, options: config.options, host, oldProgram });
}

function format(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => folder, getNewLine: () => '\n' });
}

function expectedErrors(program: ts.Program): Expected[] {
  return program
    .getSourceFiles()
    .filter((file) => isFixture(file.fileName))
    .flatMap((file) =>
      file.text.split('\n').flatMap((text, line) => {
        const at = text.indexOf(MARKER);
        if (at < 0) return [];
        const message = text
          .slice(at + MARKER.length)
          .replace(/^\s*--\s*/, '')
          .trim();
        return [{ file: path.relative(folder, file.fileName), line: line + 1, message }];
      }),
    );
}

const lineOf = (diagnostic: ts.Diagnostic) => diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;

describe('type tests (type-tests/)', () => {
  const config = parseConfig();
  let program: ts.Program;

  beforeAll(() => {
    program = compile(config, false);
  });

  it('compiles every fixture without a diagnostic, each @ts-expect-error used', () => {
    expect(config.fileNames.length).toBeGreaterThanOrEqual(4);
    const diagnostics = ts.getPreEmitDiagnostics(program);
    expect(format(diagnostics)).toBe('');
  });

  it('fails each marked line with the error its marker names, and no other line', () => {
    const expected = expectedErrors(program);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    for (const { file, message } of expected) expect({ file, message }).toEqual({ file, message: expect.stringMatching(/\S{3}/) });

    const disarmed = compile(config, true, program);
    const diagnostics = disarmed
      .getSourceFiles()
      .filter((file) => isFixture(file.fileName))
      .flatMap((file) => disarmed.getSemanticDiagnostics(file));
    const found = (want: Expected) =>
      diagnostics.filter(
        (d) =>
          path.relative(folder, d.file?.fileName ?? '') === want.file && lineOf(d) === want.line && ts.flattenDiagnosticMessageText(d.messageText, '\n').includes(want.message),
      );
    const missing = expected.filter((want) => found(want).length === 0);
    expect(missing.length ? `${JSON.stringify(missing, null, 2)}\nfound instead:\n${format(diagnostics)}` : '').toBe('');
    const unexpected = diagnostics.filter((d) => !expected.some((want) => path.relative(folder, d.file?.fileName ?? '') === want.file && lineOf(d) === want.line));
    expect(format(unexpected)).toBe('');
  });

  it('names the errors users meet: an unknown start agent, a missing input, a wrong output', () => {
    const messages = expectedErrors(program).map((want) => want.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        `Type '"writer"' is not assignable to type`,
        "Property 'folder' is missing in type '{ limit: number; }'",
        "Type 'string' is not assignable to type 'number'",
        "Property 'title' does not exist on type '{ text: string; }'",
      ]),
    );
  });
});
