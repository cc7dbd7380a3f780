// Lint keeps the layers honest (see ARCHITECTURE.md):
// - @nx/enforce-module-boundaries encodes the layer table through project tags;
// - sandbox projects (code that runs inside Temporal's workflow V8 isolate)
//   may not import Node built-ins nor Temporal's Node-only packages.
import nx from '@nx/eslint-plugin';
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
  'layer:temporal': ['layer:secrets', 'layer:engine', 'layer:telemetry', 'layer:activities', 'layer:workflows', 'layer:contracts', 'layer:core', 'layer:config', 'layer:serialization', 'layer:llm'],
  'layer:worker-app': ['layer:secrets', 'layer:engine', 'layer:telemetry', 'layer:temporal', 'layer:activities', 'layer:workflows', 'layer:contracts', 'layer:core', 'layer:config', 'layer:serialization', 'layer:llm', 'layer:examples'],
  'layer:starter-app': ['layer:secrets', 'layer:engine', 'layer:telemetry', 'layer:temporal', 'layer:contracts', 'layer:config', 'layer:serialization', 'layer:core', 'layer:examples'],
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
    // require.resolve('@flock-ts/serialization/payload-converter') is a path for Temporal, not a lazy load
    checkDynamicDependenciesExceptions: ['@flock-ts/serialization'],
    depConstraints: layerConstraints(forTests),
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.cache', '**/*.bundle.js', '**/tmp'],
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
];
