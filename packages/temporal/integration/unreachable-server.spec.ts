/**
 * Every connection Flock opens fails fast, saying why: a refused port, a
 * port that never answers, TLS on one side only, for flock.run (client),
 * FlockRunsClient, createFlockWorker and in-process workers (native
 * bridge). The TLS server is a TLS-terminating proxy in front of the
 * plaintext dev server (support/secure-proxy.ts).
 */
import { Flock, type FlockOptions } from '@flock-ts/core';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { temporal } from '../src';
import { resolveConnection } from '../src/lib/connection';
import { TemporalUnreachableError } from '../src/lib/errors';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker } from '../src/lib/worker-factory';
import { rejection, testServer, uniqueQueue } from './harness';
import { isolatedEnv } from './support/raw-history';
import { makeTestCertificates, startSecureProxy, type SecureProxy } from './support/secure-proxy';

jest.setTimeout(60_000);

/** Flock's default connect deadline, and what timers and a loaded machine may add to it. */
const DEADLINE_MS = 3_000;
const SLACK_MS = 700;

const server = testServer();
let dir: string;
let tlsProxy: SecureProxy;
let refusedAddress: string;
let silent: net.Server;
let silentAddress: string;
const silentSockets = new Set<net.Socket>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-unreachable-'));
  tlsProxy = await startSecureProxy({ target: server.address, certs: makeTestCertificates(dir) });
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refusedAddress = `127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  // accepts connections and never says a word
  silent = net.createServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentAddress = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([tlsProxy?.close(), new Promise((resolve) => silent?.close(resolve))]);
  rmSync(dir, { recursive: true, force: true });
});

function greeter(temporalConfig: FlockOptions['temporalConfig'], inProcess = false): Flock {
  return new Flock({
    name: uniqueQueue('unreachable'),
    executor: temporal(),
    temporalStartInProcessWorker: inProcess,
    temporalConfig: { namespace: server.namespace, ...temporalConfig },
    agents: [{ name: 'greet', input: 'who: string', output: 'greeting: string', evaluate: ({ who }) => ({ greeting: `hello ${String(who)}` }) }],
  });
}

/** Runs the flock once; the rejection and how long it took. */
async function failedRun(flock: Flock): Promise<{ error: Error & Record<string, unknown>; elapsedMs: number }> {
  const started = Date.now();
  const error = await rejection(flock.run({ startAgent: 'greet', input: { who: 'nobody' } }));
  const elapsedMs = Date.now() - started;
  await flock.close();
  return { error, elapsedMs };
}

describe('flock.run (client connection)', () => {
  it('fails at once on a refused port, naming the address, the namespace and how to start a server', async () => {
    const { error, elapsedMs } = await failedRun(greeter({ serverUrl: refusedAddress }));
    expect(error).toBeInstanceOf(TemporalUnreachableError);
    expect(error).toMatchObject({ code: 'TEMPORAL_UNREACHABLE', reason: 'refused', address: refusedAddress, namespace: server.namespace });
    expect(error.message).toContain(`Cannot reach Temporal at ${refusedAddress} (namespace ${server.namespace}): connection refused.`);
    expect(error.message).toContain('temporal server start-dev');
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });

  it('fails by the deadline on a port that accepts and never answers', async () => {
    const { error, elapsedMs } = await failedRun(greeter({ serverUrl: silentAddress }));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', reason: 'timeout', address: silentAddress });
    expect(error.message).toContain('did not answer within 3 s: is it a Temporal frontend (gRPC) port? If the server requires TLS, set TEMPORAL_TLS=true');
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('says the server does not speak TLS when TLS is on against the plaintext dev server', async () => {
    const { error, elapsedMs } = await failedRun(greeter({ serverUrl: server.address, tls: true }));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', reason: 'tls-mismatch' });
    expect(error.message).toContain(`TLS handshake failed: the server at ${server.address} does not speak TLS; unset TEMPORAL_TLS (or temporalConfig.tls: false)`);
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });

  it('says the server wants TLS when a plaintext connection reaches a TLS server', async () => {
    const { error, elapsedMs } = await failedRun(greeter({ serverUrl: tlsProxy.address }));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', reason: 'tls-mismatch' });
    expect(error.message).toContain('speaks TLS and this connection does not. Set TEMPORAL_TLS=true (or temporalConfig.tls');
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });

  it('FlockRunsClient.connect (flockctl) fails the same way', async () => {
    const error = await rejection(FlockRunsClient.connect(resolveConnection({ serverUrl: refusedAddress }, isolatedEnv())));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', reason: 'refused', message: expect.stringContaining(`Cannot reach Temporal at ${refusedAddress}`) });
  });
});

describe('workers (native connection)', () => {
  it('in-process workers on a refused port reject the run with the clear text, the unreachable error as cause', async () => {
    const { error, elapsedMs } = await failedRun(greeter({ serverUrl: refusedAddress, taskQueue: uniqueQueue('unreachable-inproc') }, true));
    expect(error).toMatchObject({ name: 'InProcessWorkerStartError', code: 'IN_PROCESS_WORKER_START_FAILED', address: refusedAddress });
    expect(error.message).toContain(`could not start on Temporal at ${refusedAddress} (namespace ${server.namespace}): Cannot reach Temporal at ${refusedAddress}`);
    expect(error.message).toContain('connection refused. Is a Temporal server running there?');
    expect(error.message).not.toContain('tonic::transport');
    expect(error.message).not.toMatch(/\.\. The run was not started/);
    expect(error.cause).toMatchObject({ name: 'TemporalUnreachableError', reason: 'refused' });
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });

  it('in-process workers on a silent port give up by the deadline', async () => {
    const { error, elapsedMs } = await failedRun(greeter({ serverUrl: silentAddress, taskQueue: uniqueQueue('unreachable-silent') }, true));
    expect(error).toMatchObject({ name: 'InProcessWorkerStartError' });
    expect(error.cause).toMatchObject({ name: 'TemporalUnreachableError', reason: 'timeout' });
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('createFlockWorker (flock-worker) with TLS against the plaintext dev server says so, without a Rust error text', async () => {
    const connection = resolveConnection({ serverUrl: server.address, namespace: server.namespace, tls: true }, isolatedEnv());
    const error = await rejection(createFlockWorker({ connection, flocks: [greeter({})] }));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', reason: 'tls-mismatch' });
    expect(error.message).toContain('does not speak TLS; unset TEMPORAL_TLS');
    expect(error.message).not.toContain('InvalidContentType');
    // the native bridge's own words stay on the cause
    expect(String((error.cause as Error).message)).toContain('InvalidContentType');
  });

  it('createFlockWorker without TLS against a TLS server says it wants TLS', async () => {
    const connection = resolveConnection({ serverUrl: tlsProxy.address, namespace: server.namespace }, isolatedEnv());
    const error = await rejection(createFlockWorker({ connection, flocks: [greeter({})] }));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', reason: 'tls-mismatch', message: expect.stringContaining('Set TEMPORAL_TLS=true') });
  });
});
