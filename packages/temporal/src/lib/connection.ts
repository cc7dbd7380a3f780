import type { TemporalWorkflowConfig } from '@flock-ts/config';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ClientConnectConfig } from '@temporalio/envconfig';
import type { FlockPayloadCodec } from '@flock-ts/serialization/codec';
import { payloadCodecFromEnv } from './payload-codec-env';

/** Where and how to reach Temporal, resolved from options over the environment. */
export interface ResolvedConnection {
  address: string;
  namespace: string;
  /** Connection options shared by the client and workers (`tls`, `apiKey`, `metadata` included). */
  connectionOptions: ClientConnectConfig['connectionOptions'] & { address: string };
  /**
   * Compression and encryption of payloads (env `FLOCK_PAYLOAD_*`, see
   * `payloadCodecFromEnv`); clients and workers built on this connection use it.
   */
  payloadCodec?: FlockPayloadCodec;
  /** Base URL of the Web UI for run links: `temporalConfig.webUiUrl`, else env `TEMPORAL_UI_URL`; unset when neither says. */
  webUiUrl?: string;
}

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/**
 * Resolves connection settings: explicit `temporalConfig` fields first, then
 * Temporal's own conventions (env `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, `TEMPORAL_PROFILE` and the
 * `temporal.toml` config file, read by `@temporalio/envconfig`), then
 * `localhost:7233` / `default`. The payload codec comes from `FLOCK_PAYLOAD_*`,
 * the Web UI's address from `webUiUrl` or `TEMPORAL_UI_URL`.
 *
 * @example
 * resolveConnection({ serverUrl: 'temporal:7233', namespace: 'flock-example' })
 */
export function resolveConnection(config: TemporalWorkflowConfig = {}, env: Record<string, string | undefined> = process.env): ResolvedConnection {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const profile: ClientConfigProfile = loadClientConfigProfile({ overrideEnvVars, disableFile: !hasConfigFile(env) });
  if (config.serverUrl) profile.address = config.serverUrl;
  if (config.namespace) profile.namespace = config.namespace;
  if (config.apiKey) profile.apiKey = config.apiKey;
  if (config.tls !== undefined) {
    profile.tls =
      config.tls === true
        ? {}
        : config.tls === false
          ? { disabled: true }
          : {
              serverName: config.tls.serverNameOverride,
              serverCACert: config.tls.serverRootCaCertPath ? { path: config.tls.serverRootCaCertPath } : undefined,
              clientCert: config.tls.clientCertPath ? { path: config.tls.clientCertPath } : undefined,
              clientKey: config.tls.clientKeyPath ? { path: config.tls.clientKeyPath } : undefined,
            };
  }
  const connect = toClientOptions(profile);
  const address = connect.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const payloadCodec = payloadCodecFromEnv(env);
  const webUiUrl = config.webUiUrl ?? env['TEMPORAL_UI_URL'];
  return {
    address,
    namespace: connect.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    connectionOptions: { ...connect.connectionOptions, address },
    ...(payloadCodec ? { payloadCodec } : {}),
    ...(webUiUrl ? { webUiUrl } : {}),
  };
}

/** Reading the config file is only worth it when one is named or may exist at its default place. */
function hasConfigFile(env: Record<string, string | undefined>): boolean {
  return Boolean(env['TEMPORAL_CONFIG_FILE'] || env['TEMPORAL_PROFILE'] || env['HOME'] || env['XDG_CONFIG_HOME']);
}
