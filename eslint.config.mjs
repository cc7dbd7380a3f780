// Lint keeps the layers honest (see ARCHITECTURE.md):
// - @nx/enforce-module-boundaries encodes the layer table through project tags;
// - sandbox projects (code that runs inside Temporal's workflow V8 isolate)
//   may not import Node built-ins nor Temporal's Node-only packages.
// - @nx/dependency-checks keeps each package.json's runtime dependencies equal
//   to what the package's shipped code imports.
import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])))];

/** Files that run inside the workflow sandbox. */
export const sandboxFiles = [
  'packages/config/src/**/*.ts',
  'packages/engine/src/**/*.ts',
  'packages/secrets/src/**/*.ts',
  'packages/serialization/src/**/*.ts',
  'packages/contracts/src/**/*.ts',
  'packages/workflows/src/**/*.ts',
];

const layer = (tag, allowed) => ({ sourceTag: tag, onlyDependOnLibsWithTags: allowed });

const layerTable = {
  'layer:config': [],
  'layer:secrets': [],
  'layer:engine': ['layer:config'],
  'layer:core': ['layer:secrets', 'layer:config', 'layer:engine'],
  'layer:serialization': ['layer:secrets', 'layer:engine', 'layer:config'],
  'layer:contracts': ['layer:secrets', 'layer:engine', 'layer:config', 'layer:serialization'],
  'layer:workflows': ['layer:secrets', 'layer:engine', 'layer:contracts', 'layer:config', 'layer:serialization'],
  'layer:llm': ['layer:secrets', 'layer:engine', 'layer:core', 'layer:config'],
  'layer:telemetry': ['layer:secrets', 'layer:engine', 'layer:config', 'layer:serialization'],
  'layer:activities': ['layer:secrets', 'layer:engine', 'layer:telemetry', 'layer:contracts', 'layer:core', 'layer:config', 'layer:serialization', 'layer:llm'],
  'layer:temporal': [
    'layer:secrets',
    'layer:engine',
    'layer:telemetry',
    'layer:activities',
    'layer:workflows',
    'layer:contracts',
    'layer:core',
    'layer:config',
    'layer:serialization',
    'layer:llm',
  ],
  'layer:worker-app': [
    'layer:secrets',
    'layer:engine',
    'layer:telemetry',
    'layer:temporal',
    'layer:activities',
    'layer:workflows',
    'layer:contracts',
    'layer:core',
    'layer:config',
    'layer:serialization',
    'layer:llm',
    'layer:examples',
  ],
  'layer:starter-app': [
    'layer:secrets',
    'layer:engine',
    'layer:telemetry',
    'layer:temporal',
    'layer:contracts',
    'layer:config',
    'layer:serialization',
    'layer:core',
    'layer:examples',
  ],
  'layer:examples': ['layer:secrets', 'layer:engine', 'layer:core', 'layer:config', 'layer:llm'],
  'layer:tools': ['*'],
};

/**
 * The layer table of ARCHITECTURE.md. Tests (specs and integration folders)
 * may also use the example flocks and the dev tools.
 */
function layerConstraints(forTests) {
  const extra = forTests ? ['layer:examples', 'layer:tools'] : [];
  return [
    ...Object.entries(layerTable).map(([tag, allowed]) => layer(tag, allowed.includes('*') ? allowed : [...allowed, ...extra])),
    // sandbox code only depends on sandbox code; tests of sandbox code run in Node
    ...(forTests ? [] : [{ sourceTag: 'runtime:sandbox', onlyDependOnLibsWithTags: ['runtime:sandbox'] }]),
  ];
}

const boundaries = (forTests) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    // require.resolve('@flock-ts/serialization/payload-converter') is a path for Temporal, not a lazy load;
    // workflow code loads config's and contracts' zod schemas lazily, only in the runs that need them
    checkDynamicDependenciesExceptions: ['@flock-ts/serialization', '@flock-ts/config', '@flock-ts/contracts'],
    depConstraints: layerConstraints(forTests),
  },
];

/**
 * Files that workflow code imports: the Temporal sandbox evaluates them
 * again for every workflow, so they carry no zod schemas (a per-workflow
 * rebuild cost ~10 ms of CPU and MBs of memory per cached run). Schemas
 * stay in the main entries; these files use the zod-free `/sandbox` entries.
 */
export const workflowGraphFiles = [
  'packages/workflows/src/**/*.ts',
  'packages/engine/src/**/*.ts',
  'packages/contracts/src/**/*.ts',
  'packages/config/src/sandbox.ts',
  'packages/config/src/lib/signature-syntax.ts',
  'packages/config/src/lib/activity-config.ts',
  'packages/serialization/src/sandbox.ts',
  'packages/serialization/src/lib/payload-size.ts',
  'packages/serialization/src/lib/undecodable.ts',
];

const heavyInWorkflows = (name, message) => ({ name, allowTypeImports: true, message });

/**
 * Files whose imports are not runtime dependencies: tests, their fixtures and
 * tool configs use devDependencies (the package's or the root's). Nx globs,
 * taken out of the files the rule reads: the build target's inputs, which for
 * our inferred `tsc --build tsconfig.lib.json` are already just the non-spec
 * files under src/ (so scripts/ and bench/ in tools do not count either).
 */
export const devOnlyFiles = [
  '{projectRoot}/**/*.spec.ts',
  '{projectRoot}/**/*.fixture.ts',
  '{projectRoot}/integration/**/*',
  '{projectRoot}/type-tests/**/*',
  '{projectRoot}/jest.config.*',
  '{projectRoot}/eslint.config.*',
];

/**
 * Every package.json declares exactly the packages its shipped code imports
 * (static, dynamic and `require`), at a version range that holds the installed one.
 * `alsoDeclared`: packages a project declares without importing them (say why
 * in its eslint.config.mjs).
 */
export function dependencyChecks(alsoDeclared = []) {
  return {
    files: ['**/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          includeTransitiveDependencies: false,
          ignoredFiles: devOnlyFiles,
          ignoredDependencies: alsoDeclared,
        },
      ],
    },
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    // lint-fixtures: packages that break the rules on purpose (tools/lint-fixtures/README.md)
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.cache', '**/*.bundle.js', '**/tmp', '**/lint-fixtures'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    ignores: ['**/eslint.config.mjs', '**/jest.config.js', 'jest.preset.js'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/integration/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(true),
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    files: sandboxFiles,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow-sandbox code must not import Node built-ins: it runs in a deterministic V8 isolate.',
          })),
          patterns: [
            {
              group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity', '@temporalio/testing'],
              message: 'Workflow-sandbox code may only import @temporalio/workflow and @temporalio/common.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process in workflow-sandbox code.' },
        { name: 'Buffer', message: 'No Buffer in workflow-sandbox code.' },
        { name: 'setImmediate', message: 'Use @temporalio/workflow sleep/condition instead.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use workflow time (Date.now is deterministic only inside the sandbox); keep sandbox libraries pure.' },
        { object: 'Math', property: 'random', message: 'Use uuid4() or a deterministic source from @temporalio/workflow.' },
      ],
    },
  },
  {
    files: workflowGraphFiles,
    ignores: ['**/*.spec.ts', 'packages/contracts/src/schemas.ts', 'packages/contracts/src/lib/wire-schemas.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            heavyInWorkflows(
              'zod',
              'Workflow code must not build zod schemas: the sandbox rebuilds them for every workflow (check in clients/activities, or load lazily where only some runs need it).',
            ),
            heavyInWorkflows('@flock-ts/config', "Import '@flock-ts/config/sandbox' in workflow code: the main entry builds every config schema."),
            heavyInWorkflows(
              '@flock-ts/serialization',
              "Import '@flock-ts/serialization/sandbox' in workflow code: the main entry loads the definition and memo codecs (config schemas).",
            ),
            heavyInWorkflows('@flock-ts/contracts/schemas', 'The contract schemas are for clients and tests, not workflow code.'),
          ],
        },
      ],
    },
  },
  dependencyChecks(),
];
