import baseConfig, { dependencyChecks } from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // The worker side of @flock-ts/temporal, which this app hosts, loads these
  // optional peers of it: the app installs them without importing them itself.
  dependencyChecks(['@flock-ts/activities', '@flock-ts/workflows']),
];
