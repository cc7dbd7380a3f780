import { isFlockError } from '@flock-ts/config';
import { ServiceError } from '@temporalio/client';
import * as net from 'node:net';
import { connectClient, connectNative, connectTarget, explainProtocol, explainSdkError, probeServer, probeTls, type ConnectTarget } from './connect';
import { resolveConnection, type ResolvedConnection } from './connection';
import { TemporalUnreachableError } from './errors';

jest.setTimeout(20_000);

/** Slack on top of a deadline for timers, process load and the error's construction. */
const SLACK_MS = 400;

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A TCP server on a free local port; `onConnection` decides what it says. Counts connections. */
async function listen(onConnection: (socket: net.Socket) => void = () => undefined): Promise<{ address: string; port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { address: `127.0.0.1:${port}`, port, connections: () => connections };
}

/** A port nothing listens on: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A plaintext server that answers whatever comes with an HTTP/1.1 error, as a web server would. */
const answersHttp = (socket: net.Socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));

function resolved(serverUrl: string, extra: Parameters<typeof resolveConnection>[0] = {}): ResolvedConnection {
  return resolveConnection({ serverUrl, namespace: 'flock-ns', ...extra }, {});
}

async function failure(promise: Promise<unknown>): Promise<{ error: TemporalUnreachableError; elapsedMs: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TemporalUnreachableError)) throw error;
    return { error, elapsedMs: Date.now() - started };
  }
  throw new Error('expected the connect to fail');
}

function target(overrides: Partial<ConnectTarget> = {}): ConnectTarget {
  return {
    address: 'temporal.example:7233',
    namespace: 'ns',
    host: 'temporal.example',
    port: 7233,
    tls: undefined,
    apiKey: false,
    proxy: undefined,
    timeoutMs: 3_000,
    ...overrides,
  };
}

describe('probeServer', () => {
  it('says refused for a closed port, at once', async () => {
    const started = Date.now();
    expect(await probeServer('127.0.0.1', await closedPort(), 3_000)).toEqual({ kind: 'refused' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('says open for a listener, without a hello', async () => {
    const { port } = await listen();
    expect(await probeServer('127.0.0.1', port, 3_000)).toEqual({ kind: 'open' });
  });

  it('with a hello, says answered when the server reacts and silent when it never does, by the deadline', async () => {
    const speaking = await listen(answersHttp);
    expect(await probeServer('127.0.0.1', speaking.port, 3_000, undefined, true)).toEqual({ kind: 'answered' });
    const quiet = await listen();
    const started = Date.now();
    expect(await probeServer('127.0.0.1', quiet.port, 300, undefined, true)).toEqual({ kind: 'silent' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(300 + SLACK_MS);
  });

  it('says dns for a name that does not resolve', async () => {
    expect(await probeServer('no-such-host.invalid', 7233, 3_000)).toMatchObject({ kind: 'dns' });
  });
});

describe('probeTls', () => {
  it('says plaintext for a server that answers a TLS hello with HTTP', async () => {
    const { port } = await listen(answersHttp);
    expect(await probeTls('127.0.0.1', port, {}, 3_000)).toEqual({ kind: 'plaintext' });
  });

  it('says silent for a server that never answers', async () => {
    const { port } = await listen();
    expect(await probeTls('127.0.0.1', port, {}, 300)).toEqual({ kind: 'silent' });
  });
});

describe('connectClient and connectNative', () => {
  it.each([
    ['connectClient', connectClient],
    ['connectNative', connectNative],
  ])('%s: a refused port fails at once, naming the address, the namespace and what to do', async (_name, connect) => {
    const address = `127.0.0.1:${await closedPort()}`;
    // a short deadline: grpc-js goes on retrying an attempt we gave up on until then
    const { error, elapsedMs } = await failure(connect(resolved(address), { timeoutMs: 1_000 }));
    expect(error).toMatchObject({ name: 'TemporalUnreachableError', code: 'TEMPORAL_UNREACHABLE', reason: 'refused', address, namespace: 'flock-ns' });
    expect(error.message).toBe(
      `Cannot reach Temporal at ${address} (namespace flock-ns): connection refused. Is a Temporal server running there? ` +
        'Start one with `temporal server start-dev` (or `npm run temporal:dev` in the Flock repository), or point TEMPORAL_ADDRESS / --server / temporalConfig.serverUrl at yours.',
    );
    expect(isFlockError(error, 'TEMPORAL_UNREACHABLE')).toBe(true);
    expect(elapsedMs).toBeLessThan(500);
  });

  it.each([
    ['connectClient', connectClient],
    ['connectNative', connectNative],
  ])('%s: a port that accepts and never answers fails by the deadline as a timeout', async (_name, connect) => {
    const { address } = await listen();
    const { error, elapsedMs } = await failure(connect(resolved(address), { timeoutMs: 800 }));
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain(`Cannot reach Temporal at ${address} (namespace flock-ns): the server accepted the connection but did not answer within 0.8 s`);
    expect(error.message).toContain('If the server requires TLS, set TEMPORAL_TLS=true (or temporalConfig.tls)');
    expect(elapsedMs).toBeGreaterThanOrEqual(750);
    expect(elapsedMs).toBeLessThan(800 + SLACK_MS);
  });

  it('connectNative does not start the SDK attempt on a port that never answers (it could not be cancelled)', async () => {
    let http2Hellos = 0;
    const silent = await listen((socket) => socket.once('data', (bytes: Buffer) => (http2Hellos += bytes.toString('latin1').startsWith('PRI * HTTP/2.0') ? 1 : 0)));
    await failure(connectNative(resolved(silent.address), { timeoutMs: 400 }));
    // the probe's hello alone: the native bridge would have said hello in HTTP/2 too
    expect(http2Hellos).toBe(1);
  });

  it('connectClient with TLS against a plaintext server says so, long before the deadline', async () => {
    const { address } = await listen(answersHttp);
    const { error, elapsedMs } = await failure(connectClient(resolved(address, { tls: true }), { timeoutMs: 2_000 }));
    expect(error.reason).toBe('tls-mismatch');
    expect(error.message).toContain(`TLS handshake failed: the server at ${address} does not speak TLS; unset TEMPORAL_TLS (or temporalConfig.tls: false)`);
    expect(elapsedMs).toBeLessThan(1_500);
  });

  it('reads the deadline from FLOCK_CONNECT_TIMEOUT (seconds) and refuses a value that is not one', async () => {
    const { address } = await listen();
    const { error, elapsedMs } = await failure(connectClient(resolved(address), { env: { FLOCK_CONNECT_TIMEOUT: '0.4' } }));
    expect(error.message).toContain('did not answer within 0.4 s');
    expect(elapsedMs).toBeLessThan(400 + SLACK_MS);
    await expect(connectClient(resolved(address), { env: { FLOCK_CONNECT_TIMEOUT: 'soon' } })).rejects.toMatchObject({
      name: 'FlockConfigError',
      message: expect.stringContaining('FLOCK_CONNECT_TIMEOUT'),
    });
  });
});

describe('connectTarget', () => {
  it('takes host, port and a 3 s deadline from the resolved connection', () => {
    expect(connectTarget(resolved('temporal.example:7234'), { env: {} })).toMatchObject({ host: 'temporal.example', port: 7234, tls: undefined, timeoutMs: 3_000 });
    expect(connectTarget(resolved('[::1]:7233'), { env: {} })).toMatchObject({ host: '::1', port: 7233 });
  });

  it('knows TLS is on with an API key, and off when tls is false', () => {
    expect(connectTarget(resolved('t:7233', { apiKey: 'k' }), { env: {} })).toMatchObject({ tls: {}, apiKey: true });
    expect(connectTarget(resolved('t:7233', { apiKey: 'k', tls: false }), { env: {} })).toMatchObject({ tls: undefined, apiKey: true });
    expect(connectTarget(resolved('t:7233', { tls: true }), { env: {} })).toMatchObject({ tls: {}, apiKey: false });
  });

  it("follows grpc-js's proxy variables for clients only, minus no_proxy", () => {
    const env = { https_proxy: 'http://proxy:3128', no_proxy: 'localhost,.internal' };
    expect(connectTarget(resolved('temporal.example:7233'), { env }, true).proxy).toBe('http://proxy:3128');
    expect(connectTarget(resolved('temporal.example:7233'), { env }, false).proxy).toBeUndefined();
    expect(connectTarget(resolved('temporal.internal:7233'), { env }, true).proxy).toBeUndefined();
    expect(connectTarget(resolved('localhost:7233'), { env }, true).proxy).toBeUndefined();
  });
});

describe('explainSdkError', () => {
  const tls = target({ tls: {} });

  it.each([
    [
      'native refused',
      target(),
      'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))',
      'refused',
    ],
    [
      'native dns',
      target(),
      'tonic::transport::Error(Transport, ConnectError(ConnectError("dns error", Custom { kind: Uncategorized, error: "failed to lookup address information: Name or service not known" })))',
      'dns',
    ],
    [
      'native TLS client, plaintext server',
      tls,
      'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidMessage(InvalidContentType) }))',
      'tls-mismatch',
    ],
    [
      'native untrusted certificate',
      tls,
      'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }))',
      'tls-handshake',
    ],
    [
      'native missing client certificate',
      tls,
      'Failed to call GetSystemInfo: code: \'Unknown error\', message: "transport error", source: tonic::transport::Error(Transport, hyper::Error(Io, Custom { kind: InvalidData, error: "received fatal alert: CertificateRequired" }))',
      'tls-handshake',
    ],
    [
      'native HTTP/2 server that is not gRPC',
      target(),
      'Failed to call GetSystemInfo: code: \'Unknown error\', message: "h2 protocol error: http2 error", source: tonic::transport::Error(Transport, hyper::Error(Http2, Error { kind: GoAway(b"", FRAME_SIZE_ERROR, Library) }))',
      'protocol',
    ],
    [
      'native API key refused',
      tls,
      'Failed to call GetSystemInfo: code: \'The request does not have valid authentication credentials\', message: "missing or wrong API key"',
      'rejected',
    ],
  ])('reads %s', (_case, where, message, reason) => {
    expect(explainSdkError(where, new Error(message))?.reason).toBe(reason);
  });

  it("reads grpc-js's UNAUTHENTICATED below its ServiceError, with the server's words", () => {
    const cause = Object.assign(new Error('16 UNAUTHENTICATED: missing or wrong API key'), { code: 16, details: 'missing or wrong API key' });
    const explained = explainSdkError(tls, new ServiceError('Failed to connect to Temporal server', { cause }));
    expect(explained).toMatchObject({ reason: 'rejected', text: expect.stringContaining('(UNAUTHENTICATED: missing or wrong API key)') });
    expect(explained?.text).toContain('TEMPORAL_API_KEY');
  });

  it("leaves grpc-js's deadline to the probes: it says nothing about the cause", () => {
    expect(explainSdkError(target(), new Error('Failed to connect before the deadline'))).toBeUndefined();
  });

  it('names the setting an untrusted certificate or a wrong name points at', () => {
    expect(explainSdkError(tls, new Error('InvalidCertificate(UnknownIssuer)'))?.text).toContain('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    expect(explainSdkError(tls, new Error('InvalidCertificate(NotValidForName)'))?.text).toContain('TEMPORAL_TLS_SERVER_NAME');
  });
});

describe('explainProtocol', () => {
  const deadline = new Error('Failed to connect before the deadline');

  it('says TLS is on one side only, with the setting to change on ours', () => {
    expect(explainProtocol(target({ tls: {} }), { kind: 'plaintext' }, deadline)).toMatchObject({ reason: 'tls-mismatch', text: expect.stringContaining('unset TEMPORAL_TLS') });
    expect(explainProtocol(target(), { kind: 'tls' }, deadline)).toMatchObject({ reason: 'tls-mismatch', text: expect.stringContaining('Set TEMPORAL_TLS=true') });
    expect(explainProtocol(target({ tls: {}, apiKey: true }), { kind: 'plaintext' }, deadline).text).toContain('an API key turns TLS on: set TEMPORAL_TLS=false');
  });

  it('says which certificate setting a refused handshake points at', () => {
    const refused = explainProtocol(
      target({ tls: {} }),
      { kind: 'tls-refused', code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Host: x. is not in the cert's altnames" },
      deadline,
    );
    expect(refused).toMatchObject({ reason: 'tls-handshake', text: expect.stringContaining('TEMPORAL_TLS_SERVER_NAME') });
  });

  it('tells a silent server from one that answered without a Temporal handshake', () => {
    expect(explainProtocol(target(), { kind: 'silent' }, deadline)).toMatchObject({ reason: 'timeout', text: expect.stringContaining('did not answer within 3 s') });
    expect(explainProtocol(target(), { kind: 'plaintext' }, deadline)).toMatchObject({ reason: 'timeout', text: expect.stringContaining('not the Web UI') });
  });

  it('keeps an error it cannot explain as it is', () => {
    expect(explainProtocol(target(), { kind: 'plaintext' }, new Error('something odd'))).toEqual({ reason: 'unknown', text: 'something odd.' });
  });
});
