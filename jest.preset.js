// Shared Jest preset: TypeScript and ESM-only dependencies (superjson) are
// compiled to CommonJS by SWC; workspace packages resolve to their sources
// through the `@flock-ts/source` export condition, so tests need no build.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(ts|js|mjs)$': [
      '@swc/jest',
      {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(superjson|copy-anything|is-what)/)'],
  testEnvironmentOptions: {
    customExportConditions: ['@flock-ts/source', 'node', 'node-addons', 'require', 'default'],
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/integration/**/*.spec.ts'],
};
