/**
 * Reaching a secured Temporal service: TLS with a private CA, mutual TLS
 * with client certificates, and an API key, from flock options and from
 * Temporal's TEMPORAL_* variables, for clients (grpc-js) and workers (Rust
 * core) alike. The dev server of Temporal CLI 1.9.1 has no TLS flags, so a
 * TLS-terminating gRPC proxy stands in front of it (support/secure-proxy.ts)
 * with certificates openssl makes for this run.
 */
import { Flock, type FlockOptions } from '@flock-ts/core';
import { Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveConnection, type ResolvedConnection } from '../src/lib/connection';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker } from '../src/lib/worker-factory';
import { rejection, testServer, uniqueQueue } from './harness';
import { isolatedEnv } from './support/raw-history';
import { makeTestCertificates, startSecureProxy, type SecureProxy, type TestCertificates } from './support/secure-proxy';
import { temporal } from '../src';

jest.setTimeout(60_000);

const server = testServer();
const API_KEY = 'flock-test-api-key-3f9a1c';
let dir: string;
let certs: TestCertificates;
let apiKeyProxy: SecureProxy;
let mtlsProxy: SecureProxy;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-tls-'));
  certs = makeTestCertificates(dir);
  apiKeyProxy = await startSecureProxy({ target: server.address, certs, apiKey: API_KEY });
  mtlsProxy = await startSecureProxy({ target: server.address, certs, mutualTls: true });
});

afterAll(async () => {
  await Promise.all([apiKeyProxy?.close(), mtlsProxy?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function greeter(temporalConfig: FlockOptions['temporalConfig']): Flock {
  return new Flock({
    name: uniqueQueue('secure'),
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig,
    agents: [{ name: 'greet', input: 'who: string', output: 'greeting: string', evaluate: ({ who }) => ({ greeting: `hello ${String(who)}` }) }],
  });
}

/** Runs a flock on a worker and a client that both use `connection`. */
async function roundTrip(connection: ResolvedConnection): Promise<Record<string, unknown>> {
  const taskQueue = uniqueQueue('secure-env');
  const flock = greeter({ taskQueue });
  const worker = await createFlockWorker({ connection, flocks: [flock], taskQueue });
  const running = worker.run();
  const runs = await FlockRunsClient.connect(connection);
  try {
    await worker.polling();
    const { workflowId } = await runs.start(flock, { startAgent: 'greet', input: { who: 'env' } });
    return (await runs.result(workflowId)).output;
  } finally {
    await runs.close();
    await worker.shutdown();
    await running;
  }
}

/** A client connection attempt that gives up quickly. */
function connect(connection: ResolvedConnection): Promise<Connection> {
  return Connection.connect({ ...connection.connectionOptions, connectTimeout: 1_500 });
}

/** The messages of an error and its causes. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message));
  return parts.join(' <- ');
}

describe('TLS and API key', () => {
  it('runs a flock end to end with temporalConfig.tls (private CA, server name) and apiKey', async () => {
    const before = apiKeyProxy.counts.forwarded;
    const flock = greeter({
      serverUrl: apiKeyProxy.address,
      namespace: server.namespace,
      taskQueue: uniqueQueue('secure-key'),
      apiKey: API_KEY,
      tls: { serverRootCaCertPath: certs.caCert, serverNameOverride: certs.serverName },
    });
    const result = await flock.run({ startAgent: 'greet', input: { who: 'tls' } });
    // stop its in-process workers now: idle, they would poll through the proxy for a while
    await flock.close();
    expect(result.output).toEqual({ greeting: 'hello tls' });
    expect(apiKeyProxy.counts.forwarded).toBeGreaterThan(before);
  });

  it('takes the same settings from TEMPORAL_ADDRESS, TEMPORAL_TLS_* and TEMPORAL_API_KEY', async () => {
    const connection = resolveConnection(
      {},
      isolatedEnv({
        TEMPORAL_ADDRESS: apiKeyProxy.address,
        TEMPORAL_NAMESPACE: server.namespace,
        TEMPORAL_API_KEY: API_KEY,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
        TEMPORAL_TLS_SERVER_NAME: certs.serverName,
      }),
    );
    expect(await roundTrip(connection)).toEqual({ greeting: 'hello env' });
  });

  it('is refused without the API key, or with a wrong one, naming the reason', async () => {
    const refusedBefore = apiKeyProxy.counts.refusedApiKey;
    const tls = { serverRootCaCertPath: certs.caCert, serverNameOverride: certs.serverName };
    for (const apiKey of [undefined, 'not-the-key']) {
      const error = await rejection(connect(resolveConnection({ serverUrl: apiKeyProxy.address, namespace: server.namespace, tls, ...(apiKey ? { apiKey } : {}) }, isolatedEnv())));
      expect(error.message).toBe('Failed to connect to Temporal server');
      expect(messages(error)).toContain('missing or wrong API key');
    }
    expect(apiKeyProxy.counts.refusedApiKey).toBeGreaterThan(refusedBefore);
  });

  it('fails the handshake when the client does not trust the server certificate', async () => {
    const before = apiKeyProxy.counts.forwarded;
    const error = await rejection(connect(resolveConnection({ serverUrl: apiKeyProxy.address, namespace: server.namespace, tls: true, apiKey: API_KEY }, isolatedEnv())));
    expect(messages(error)).toMatch(/certificate|handshake|deadline|UNAVAILABLE/i);
    expect(apiKeyProxy.counts.forwarded).toBe(before);
  });
});

describe('mutual TLS', () => {
  const mtls = () => ({
    serverRootCaCertPath: certs.caCert,
    serverNameOverride: certs.serverName,
    clientCertPath: certs.clientCert,
    clientKeyPath: certs.clientKey,
  });

  it('runs a flock end to end with a client certificate from temporalConfig.tls', async () => {
    const before = mtlsProxy.counts.forwarded;
    const flock = greeter({ serverUrl: mtlsProxy.address, namespace: server.namespace, taskQueue: uniqueQueue('secure-mtls'), tls: mtls() });
    const result = await flock.run({ startAgent: 'greet', input: { who: 'mtls' } });
    await flock.close();
    expect(result.output).toEqual({ greeting: 'hello mtls' });
    expect(mtlsProxy.counts.forwarded).toBeGreaterThan(before);
  });

  it('takes the client certificate from TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH', async () => {
    const connection = resolveConnection(
      {},
      isolatedEnv({
        TEMPORAL_ADDRESS: mtlsProxy.address,
        TEMPORAL_NAMESPACE: server.namespace,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
        TEMPORAL_TLS_SERVER_NAME: certs.serverName,
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
      }),
    );
    expect(await roundTrip(connection)).toEqual({ greeting: 'hello env' });
  });

  it('refuses a client without a certificate, and one whose certificate another CA signed', async () => {
    const errorsBefore = mtlsProxy.tlsErrors.length;
    const { clientCertPath: _cert, clientKeyPath: _key, ...serverOnly } = mtls();
    await rejection(connect(resolveConnection({ serverUrl: mtlsProxy.address, namespace: server.namespace, tls: serverOnly }, isolatedEnv())));
    await rejection(
      connect(
        resolveConnection(
          { serverUrl: mtlsProxy.address, namespace: server.namespace, tls: { ...serverOnly, clientCertPath: certs.strangerCert, clientKeyPath: certs.strangerKey } },
          isolatedEnv(),
        ),
      ),
    );
    expect(mtlsProxy.tlsErrors.length).toBeGreaterThan(errorsBefore);
  });
});
