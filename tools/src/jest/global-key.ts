import type { TestServer } from '../lib/test-server';

/** Where the global setup leaves the server for the teardown. @internal */
export const DEV_SERVER_GLOBAL_KEY = '__flockTemporalDevServer__';

/** @internal */
export type GlobalWithDevServer = typeof globalThis & { [DEV_SERVER_GLOBAL_KEY]?: TestServer };
