// @nx/dependency-checks (eslint.config.mjs) rejects a package.json that
// declares a dependency its code does not use or misses one its code imports,
// and passes every package of the repository.
//
// The rule reads Nx's cached project graph and file map (each file's imports,
// as Nx resolved them). The fixture (tools/lint-fixtures/dependency-checks) is
// not a project, so its files sit in the tools project's file map: the spec
// writes a copy of the graph in which they form a project of their own, and
// runs ESLint on it in a child process (NX_WORKSPACE_DATA_DIRECTORY).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectGraphAsync, workspaceRoot, type ProjectGraph } from '@nx/devkit';
import { readFileMapCache } from '@nx/devkit/internal';

const FIXTURE = 'lint-fixture-dependency-checks';
const FIXTURE_ROOT = 'tools/lint-fixtures/dependency-checks';
const FIXTURE_MANIFEST = readFileSync(join(workspaceRoot, FIXTURE_ROOT, 'package.fixture.json'), 'utf8');
const RULE = '@nx/dependency-checks';

/**
 * Child process: ESLint's Node API; reads `[{ filePath, text }]`, writes each text's messages. Each file gets
 * the eslint.config.mjs nearest its folder, as `eslint .` in its project does (the fixture: tools' config).
 */
const LINT_TEXTS = `
const { ESLint } = require('eslint');
const { dirname } = require('node:path');
let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const out = [];
  for (const { filePath, text } of JSON.parse(input)) {
    const eslint = new ESLint({ cwd: dirname(filePath), ignore: false });
    const [result] = await eslint.lintText(text, { filePath });
    out.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(out));
});`;

interface LintMessage {
  ruleId: string | null;
  message: string;
}

let dataDir: string;
let packageRoots: string[];

/** The ESLint messages of each text, linted as the file at its path (relative to the workspace root). */
function lint(files: { path: string; text: string }[]): LintMessage[][] {
  const run = spawnSync(process.execPath, ['-e', LINT_TEXTS], {
    cwd: workspaceRoot,
    input: JSON.stringify(files.map(({ path, text }) => ({ filePath: join(workspaceRoot, path), text }))),
    encoding: 'utf8',
    env: { ...process.env, NX_WORKSPACE_DATA_DIRECTORY: dataDir, NX_DAEMON: 'false' },
  });
  if (run.status !== 0) throw new Error(`eslint exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as LintMessage[][];
}

beforeAll(async () => {
  const graph: ProjectGraph = await createProjectGraphAsync({ exitOnError: false });
  const fileMapCache = readFileMapCache();
  if (!fileMapCache) throw new Error('Nx wrote no file map');
  const projectFileMap = fileMapCache.fileMap.projectFileMap;
  const tools = Object.values(graph.nodes).find((node) => node.data.root === 'tools');
  if (!tools) throw new Error('no tools project in the graph');
  const toolsFiles = projectFileMap[tools.name];
  const inFixture = ({ file }: { file: string }) => file.startsWith(`${FIXTURE_ROOT}/`);
  expect(toolsFiles.filter(inFixture).map(({ file }) => file)).toContain(`${FIXTURE_ROOT}/src/index.ts`);

  packageRoots = Object.values(graph.nodes).map((node) => node.data.root);
  projectFileMap[tools.name] = toolsFiles.filter((file) => !inFixture(file));
  projectFileMap[FIXTURE] = toolsFiles.filter(inFixture);
  graph.nodes[FIXTURE] = {
    name: FIXTURE,
    type: 'lib',
    data: {
      root: FIXTURE_ROOT,
      // the rule checks projects with a build target, against the files that target reads
      targets: { build: { executor: 'nx:run-commands', options: { command: 'true' }, inputs: ['{projectRoot}/src/**/*.ts'] } },
    },
  };
  graph.dependencies[FIXTURE] = [];

  dataDir = mkdtempSync(join(tmpdir(), 'dependency-checks-'));
  writeFileSync(join(dataDir, 'project-graph.json'), JSON.stringify(graph));
  writeFileSync(join(dataDir, 'file-map.json'), JSON.stringify(fileMapCache));
});

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('@nx/dependency-checks', () => {
  it('reports an unused and a missing dependency of the fixture, and accepts it once they are fixed', () => {
    const fixed = JSON.stringify({ ...JSON.parse(FIXTURE_MANIFEST), dependencies: { zod: '^4.1.0' } }, null, 2);
    const [broken, repaired] = lint([
      { path: `${FIXTURE_ROOT}/package.json`, text: FIXTURE_MANIFEST },
      { path: `${FIXTURE_ROOT}/package.json`, text: fixed },
    ]);

    expect(broken).toEqual([
      {
        ruleId: RULE,
        message: `The "${FIXTURE}" project uses the following packages, but they are missing from "dependencies":\n    - zod`,
      },
      { ruleId: RULE, message: `The "superjson" package is not used by "${FIXTURE}" project.` },
    ]);
    expect(repaired).toEqual([]);
  });

  it("passes every package.json of the repository's projects", () => {
    const manifests = packageRoots
      .filter((root) => root !== FIXTURE_ROOT)
      .map((root) => `${root}/package.json`)
      .sort();
    expect(manifests).toEqual(expect.arrayContaining(['apps/worker/package.json', 'packages/core/package.json', 'tools/package.json']));

    const results = lint(manifests.map((path) => ({ path, text: readFileSync(join(workspaceRoot, path), 'utf8') })));

    const problems = results.flatMap((messages, i) => messages.map(({ ruleId, message }) => `${manifests[i]}: ${ruleId}: ${message}`));
    expect(problems).toEqual([]);
  });
});
