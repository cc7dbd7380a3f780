/**
 * Jest global teardown: stops the server {@link temporalGlobalSetup} started
 * (a server that was only reused belongs to whoever started it). Runs in the
 * same process as the setup, so the server handle is on `globalThis`.
 */
import { TEST_TEMPORAL_ENV_VARS } from '../lib/test-temporal-env';
import { DEV_SERVER_GLOBAL_KEY, type GlobalWithDevServer } from './global-key';

export default async function temporalGlobalTeardown(): Promise<void> {
  const holder = globalThis as GlobalWithDevServer;
  const server = holder[DEV_SERVER_GLOBAL_KEY];
  if (!server) return;
  delete holder[DEV_SERVER_GLOBAL_KEY];
  await server.stop();
  // Watch mode runs setup again; it must start a new server, not reuse the dead one.
  for (const name of Object.values(TEST_TEMPORAL_ENV_VARS)) delete process.env[name];
}
