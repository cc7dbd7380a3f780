export * from './lib/errors';
export { TEMPORAL_CLI_VERSION, TEMPORAL_TEST_SERVER_VERSION } from './lib/binaries';
export {
  findTemporalCli,
  obtainTemporalCli,
  findTemporalTestServer,
  obtainTemporalTestServer,
  type FindTemporalBinaryOptions,
  type ObtainTemporalBinaryOptions,
  type FoundTemporalBinary,
  type TemporalBinarySource,
} from './lib/find-binary';
export { defaultCacheDir, findWorkspaceRoot } from './lib/workspace';
export { FAST_DEV_SERVER_CONFIG, startDevServer, type DevServer, type DevServerOptions, type SearchAttributeTypeName } from './lib/dev-server';
export { getFreePort, isPortFree } from './lib/free-port';
export { startSilentServer, type SilentServer } from './lib/silent-server';
export { FLOCK_DEV_SEARCH_ATTRIBUTES } from './lib/flock-search-attributes';
export { PRODUCTION_TOPOLOGY } from './lib/production-topology';
export { createTimeSkippingEnv, type TimeSkippingEnvOptions } from './lib/time-skipping';
export { startTestServer, testServerEnv, TEST_NAMESPACE, type TestServer } from './lib/test-server';
export { testTemporalEnv, uniqueName, TEST_TEMPORAL_ENV_VARS, type TestTemporalEnv, type TestTopology } from './lib/test-temporal-env';
export * from './lib/source-processes';
export { obtainTemporalServer, findTemporalServer, type TemporalServerBinaries, type ObtainTemporalServerOptions } from './lib/temporal-server-binary';
export { startPostgresCluster, findPostgresBinDir, type PostgresCluster, type PostgresClusterOptions } from './lib/postgres-cluster';
export { startProductionServer, PRODUCTION_SERVER_DYNAMIC_CONFIG, type ProductionServer, type ProductionServerOptions } from './lib/production-server';
