import { FlockConfigError } from '@flock-ts/config';
import { Connection } from '@temporalio/client';
import { normalizeTlsConfig, splitProtoHostPort, type TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { NativeConnection } from '@temporalio/worker';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ResolvedConnection } from './connection';
import { TemporalUnreachableError, type TemporalUnreachableReason } from './errors';

// One place where Flock opens its Temporal connections, so every caller
// (flock.run, flockctl, flock-worker, in-process workers) fails the same way:
// within one deadline, with an error naming the address, the likely cause
// and what to do. Next to the SDK's attempt run two probes of our own: a TCP
// connect that says hello in HTTP/2 (refused, unresolvable, unroutable
// addresses answer in ms; a server that never answers shows by the
// deadline) and, when the attempt lingers or fails, a TLS handshake (does
// the server speak TLS? is its certificate trusted?), because grpc-js only
// ever says "Failed to connect before the deadline".

/** Default deadline of opening a Temporal connection (probes included), in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/** The variable that overrides {@link DEFAULT_CONNECT_TIMEOUT_MS}, in seconds (decimals allowed). */
export const CONNECT_TIMEOUT_ENV = 'FLOCK_CONNECT_TIMEOUT';

/** How long a healthy connect may take before the TLS probe starts looking at the server. */
const PROTOCOL_PROBE_AFTER_MS = 500;

/** After a TLS handshake, how long the probe waits for a late alert (a TLS 1.3 server refusing the client certificate). */
const TLS_ALERT_GRACE_MS = 150;

/** Options of {@link connectClient} and {@link connectNative}. */
export interface ConnectOptions {
  /**
   * Deadline for the whole connect, in ms (default: env
   * `FLOCK_CONNECT_TIMEOUT` in seconds, else {@link DEFAULT_CONNECT_TIMEOUT_MS}).
   */
  timeoutMs?: number;
  /** Where `FLOCK_CONNECT_TIMEOUT` and grpc-js's proxy variables are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Opens a client `Connection` to the resolved address, or rejects within the
 * deadline with a {@link TemporalUnreachableError} that says why (refused,
 * unresolvable, silent, TLS on one side only, untrusted certificate,
 * credentials turned down...).
 *
 * @example
 * const connection = await connectClient(resolveConnection({ serverUrl: 'temporal:7233' }));
 */
export async function connectClient(resolved: ResolvedConnection, options: ConnectOptions = {}): Promise<Connection> {
  // grpc-js goes through grpc_proxy / https_proxy / http_proxy when they are set
  return connectWithin(connectTarget(resolved, options, true), {
    open: (timeoutMs) => {
      const connection = Connection.lazy({ ...resolved.connectionOptions, connectTimeout: timeoutMs });
      // An attempt we gave up on is closed once it settles (by the deadline at the latest), not at once:
      // grpc-js (1.14) wakes a channel closed while waiting for it to be ready, which then retries until the deadline.
      return connection.ensureConnected().then(
        () => connection,
        async (error: unknown) => {
          await connection.close();
          throw error;
        },
      );
    },
    close: (connection) => connection.close(),
    // grpc-js shakes hands with Node's TLS, as the probe does: a handshake the probe fails, it fails too
    tlsLikeProbe: true,
  });
}

/**
 * Opens a worker `NativeConnection` (`@temporalio/worker`, loaded only
 * here) like {@link connectClient}: within the deadline, or a
 * {@link TemporalUnreachableError}. The SDK's own attempt cannot be
 * cancelled: one that answers after the deadline is closed at once.
 * The first one installs the SDK runtime with Flock's quiet logger
 * ({@link ensureFlockRuntime}) unless one is installed already.
 *
 * @example
 * const connection = await connectNative(resolveConnection());
 * const worker = await Worker.create({ connection, taskQueue: 'flock-agents', ... });
 */
export async function connectNative(resolved: ResolvedConnection, options: ConnectOptions = {}): Promise<NativeConnection> {
  const { NativeConnection: Native } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  // before the first native connection makes the SDK's default runtime (INFO lines with task tokens on the console)
  (require('./sdk-runtime') as typeof import('./sdk-runtime')).ensureFlockRuntime();
  return connectWithin(connectTarget(resolved, options), {
    // started once the server answered: an attempt on a silent port would hold the process for 30 s
    waitsForAnswer: true,
    open: () => Native.connect(resolved.connectionOptions),
    close: (connection) => connection.close(),
  });
}

/** Where a connect goes and what it expects there. */
export interface ConnectTarget {
  address: string;
  namespace: string;
  host: string;
  port: number;
  /** The TLS settings in force (`undefined`: plaintext); an API key turns TLS on unless `tls: false`. */
  tls: TLSConfig | undefined;
  /** An API key is set: it turns TLS on unless `tls` is `false`. */
  apiKey: boolean;
  /** An HTTP CONNECT proxy (or a gRPC proxy variable) stands between: no direct probes. */
  proxy: string | undefined;
  timeoutMs: number;
}

/**
 * Reads the target of a connect from a resolved connection; `proxyVariables`:
 * the connection honours grpc-js's proxy variables (a client does, the
 * native bridge does not).
 */
export function connectTarget(resolved: ResolvedConnection, options: ConnectOptions = {}, proxyVariables = false): ConnectTarget {
  const env = options.env ?? process.env;
  const { address, namespace, connectionOptions } = resolved;
  const split = splitProtoHostPort(address);
  return {
    address,
    namespace,
    host: split?.hostname ?? address,
    port: split?.port ?? 7233,
    tls: normalizeTlsConfig(connectionOptions.tls, connectionOptions.apiKey),
    apiKey: connectionOptions.apiKey !== undefined,
    proxy: (connectionOptions as { proxy?: { targetHost?: string } }).proxy?.targetHost ?? (proxyVariables ? proxyFromEnv(split?.hostname ?? address, env) : undefined),
    timeoutMs: options.timeoutMs ?? connectTimeoutFromEnv(env) ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/** `FLOCK_CONNECT_TIMEOUT` (seconds) in ms, when set. */
function connectTimeoutFromEnv(env: Record<string, string | undefined>): number | undefined {
  const text = env[CONNECT_TIMEOUT_ENV]?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new FlockConfigError(CONNECT_TIMEOUT_ENV, [{ path: '', message: `must be a positive number of seconds, got "${text}"` }]);
  }
  return Math.round(seconds * 1000);
}

/** The proxy grpc-js would use for `host` (`grpc_proxy`, `https_proxy`, `http_proxy`, minus `no_grpc_proxy` / `no_proxy`). */
function proxyFromEnv(host: string, env: Record<string, string | undefined>): string | undefined {
  const proxy = env['grpc_proxy'] || env['https_proxy'] || env['http_proxy'];
  if (!proxy) return undefined;
  const exempt = (env['no_grpc_proxy'] || env['no_proxy'] || '').split(',').map((entry) => entry.trim().toLowerCase());
  const name = host.toLowerCase();
  return exempt.some((entry) => entry === '*' || entry === name || (entry !== '' && name.endsWith(entry.startsWith('.') ? entry : `.${entry}`))) ? undefined : proxy;
}

/** How a connect opens its connection and closes one it no longer wants. */
interface Opener<T> {
  /** Start the attempt only once the server has answered a probe (an attempt that cannot be cancelled would linger on a silent port). */
  waitsForAnswer?: boolean;
  /** The attempt's TLS is Node's (same trust store as the TLS probe): a refused probe handshake ends the connect early. */
  tlsLikeProbe?: boolean;
  /** Starts the SDK's attempt, to give up by `timeoutMs` where it can. */
  open(timeoutMs: number): Promise<T>;
  close(connection: T): Promise<void>;
}

/** What ended the race between the SDK's attempt, the probes and the deadline. */
type Outcome<T> =
  | { kind: 'connected'; connection: T }
  | { kind: 'failed'; error: unknown }
  | { kind: 'deadline' }
  | { kind: 'server'; server: ServerFailure }
  | { kind: 'protocol'; protocol: ProtocolProbe };

/**
 * Runs the SDK's attempt against the deadline, with the probes beside it:
 * a failed server probe, or a TLS probe showing a mismatch, ends the
 * connect early; otherwise the first of attempt and deadline decides, and
 * the probes explain a failure.
 */
async function connectWithin<T>(target: ConnectTarget, opener: Opener<T>): Promise<T> {
  const started = Date.now();
  const left = () => Math.max(0, target.timeoutMs - (Date.now() - started));
  const stop = new AbortController();
  const probed = !target.proxy;
  // a plaintext server is asked in HTTP/2 only when the attempt waits for its answer; a TLS server answers the TLS probe
  const probes = new Probes(target, left, stop.signal, opener.waitsForAnswer === true && !target.tls);
  const attempt =
    opener.waitsForAnswer && probed
      ? // never settles unless the server answered: the probe's failure or the deadline ends the race
        probes.answered().then((answered) => (answered ? opener.open(left()) : new Promise<T>(() => undefined)))
      : opener.open(target.timeoutMs);
  const settled = attempt.then(
    (connection): Outcome<T> => ({ kind: 'connected', connection }),
    (error: unknown): Outcome<T> => ({ kind: 'failed', error }),
  );
  let deadlineTimer: NodeJS.Timeout | undefined;
  let protocolTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome<T>>((resolve) => (deadlineTimer = setTimeout(() => resolve({ kind: 'deadline' }), target.timeoutMs)));
  const early = new Promise<Outcome<T>>((resolve) => {
    if (!probed) return;
    void probes.server().then((server) => isServerFailure(server) && resolve({ kind: 'server', server }));
    protocolTimer = setTimeout(
      () => void probes.protocol().then((protocol) => decisive(target, protocol, opener.tlsLikeProbe) && resolve({ kind: 'protocol', protocol })),
      Math.min(PROTOCOL_PROBE_AFTER_MS, target.timeoutMs / 4),
    );
  });
  const outcome = await Promise.race([settled, deadline, early]);
  clearTimeout(deadlineTimer);
  clearTimeout(protocolTimer);
  if (outcome.kind === 'connected') {
    stop.abort();
    return outcome.connection;
  }
  try {
    throw await explainFailure(target, outcome, probes);
  } finally {
    stop.abort();
    // the SDK's attempt may still succeed after we gave up on it: close what it opens
    void attempt.then((connection) => opener.close(connection).catch(() => undefined)).catch(() => undefined);
  }
}

/** Builds the error for a connect that did not succeed, from what ended it and what the probes saw. */
async function explainFailure<T>(target: ConnectTarget, outcome: Exclude<Outcome<T>, { kind: 'connected' }>, probes: Probes): Promise<TemporalUnreachableError> {
  const error = outcome.kind === 'failed' ? outcome.error : undefined;
  const known = outcome.kind === 'server' ? explainServer(target, outcome.server) : error === undefined ? undefined : explainSdkError(target, error);
  if (known) return unreachable(target, known, error);
  const server = target.proxy ? undefined : await probes.server();
  if (server && isServerFailure(server)) return unreachable(target, explainServer(target, server), error);
  const protocol = outcome.kind === 'protocol' ? outcome.protocol : target.proxy ? undefined : await probes.protocol();
  return unreachable(target, explainProtocol(target, protocol, error), error);
}

function unreachable(target: ConnectTarget, { reason, text }: Explanation, cause: unknown): TemporalUnreachableError {
  return new TemporalUnreachableError(target.address, target.namespace, reason, text, cause === undefined ? undefined : { cause });
}

/** A cause and the words for it (after "Cannot reach Temporal at X (namespace N): "). */
export interface Explanation {
  reason: TemporalUnreachableReason;
  text: string;
}

const ADDRESS_SETTINGS = 'TEMPORAL_ADDRESS / --server / temporalConfig.serverUrl';

// ---- server probe -------------------------------------------------------

/** What a TCP connect (that says hello in HTTP/2 when asked to) saw. */
export type ServerProbe =
  /** The TCP connection opened (no hello sent). */
  | { kind: 'open' }
  /** Something came back (any bytes, or a hang-up): a server is there, whatever it speaks. */
  | { kind: 'answered' }
  /** The TCP connection opened, and nothing came back by the deadline. */
  | { kind: 'silent' }
  | { kind: 'refused' }
  | { kind: 'dns'; code: string }
  | { kind: 'unreachable'; code: string; message: string }
  /** No TCP connection by the deadline. */
  | { kind: 'timeout' };

/** A server probe that explains a failure by itself. */
export type ServerFailure = Exclude<ServerProbe, { kind: 'open' | 'answered' }>;

function isServerFailure(server: ServerProbe): server is ServerFailure {
  return server.kind !== 'open' && server.kind !== 'answered';
}

/** The HTTP/2 client preface and an empty SETTINGS frame: a gRPC server answers with its SETTINGS; a TLS or HTTP/1 server with an error. */
const H2_HELLO = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Opens a TCP connection: refused, unresolvable and unroutable addresses
 * show in ms. With `hello`, says hello in HTTP/2 and waits for any answer:
 * a port that accepts and never answers shows by the deadline.
 */
export function probeServer(host: string, port: number, timeoutMs: number, signal?: AbortSignal, hello = false): Promise<ServerProbe> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let connected = false;
    const done = (result: ServerProbe) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => done(connected ? { kind: 'silent' } : { kind: 'timeout' });
    const timer = setTimeout(onAbort, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      connected = true;
      if (hello) socket.write(H2_HELLO);
      else done({ kind: 'open' });
    });
    socket.once('data', () => done({ kind: 'answered' }));
    socket.once('close', () => done(connected ? { kind: 'answered' } : { kind: 'timeout' }));
    socket.once('error', (error: NodeJS.ErrnoException) => done(connected ? { kind: 'answered' } : connectFailure(error)));
  });
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

function connectFailure(error: NodeJS.ErrnoException): ServerProbe {
  // with several addresses for a name (localhost: ::1 and 127.0.0.1), Node reports each attempt in `errors`
  const code = error.code ?? (error as { errors?: NodeJS.ErrnoException[] }).errors?.[0]?.code ?? 'EUNKNOWN';
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (DNS_CODES.has(code)) return { kind: 'dns', code };
  return { kind: 'unreachable', code, message: error.message };
}

/** Words for a server probe that explains a failure. */
export function explainServer(target: ConnectTarget, server: ServerFailure): Explanation {
  switch (server.kind) {
    case 'refused':
      return {
        reason: 'refused',
        text:
          'connection refused. Is a Temporal server running there? Start one with `temporal server start-dev` ' +
          `(or \`npm run temporal:dev\` in the Flock repository), or point ${ADDRESS_SETTINGS} at yours.`,
      };
    case 'dns':
      return { reason: 'dns', text: `the host name "${target.host}" does not resolve (${server.code}). Check the address in ${ADDRESS_SETTINGS}.` };
    case 'unreachable':
      return { reason: 'unreachable', text: `${server.message}. Check the address and the network (VPN, firewall) between here and the server.` };
    case 'timeout':
      return {
        reason: 'timeout',
        text:
          `no TCP connection within ${seconds(target.timeoutMs)} (a firewall may drop the packets, or the host is down). ` +
          `Check the address and the network; ${CONNECT_TIMEOUT_ENV}=<seconds> gives a slow network longer.`,
      };
    case 'silent':
      return silent(target);
  }
}

// ---- TLS probe ----------------------------------------------------------

/** What a TLS handshake with the target saw. */
export type ProtocolProbe =
  | { kind: 'tls' }
  /** The server speaks TLS, but the handshake failed with the connection's settings. */
  | { kind: 'tls-refused'; code: string; message: string }
  /** The server answered a TLS hello with something else. */
  | { kind: 'plaintext' }
  | { kind: 'silent' }
  | { kind: 'other'; code: string; message: string };

/** The code of a probe the server hung up on right after the handshake. */
const HUNG_UP = 'HUNG_UP_AFTER_HANDSHAKE';

/** Node's codes for "the bytes that came back are not TLS". */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING']);

/**
 * A TLS handshake with the connection's own settings (CA, server name,
 * client certificate): shows whether the server speaks TLS and whether it
 * takes these settings.
 */
export function probeTls(
  host: string,
  port: number,
  settings: TLSConfig | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  /** Called once the handshake completed (before the wait for a late alert). */
  onHandshake?: () => void,
): Promise<ProtocolProbe> {
  return new Promise((resolve) => {
    const servername = settings?.serverNameOverride ?? (net.isIP(host) ? undefined : host);
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(servername ? { servername } : {}),
      ...(settings?.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
      ...(settings?.clientCertPair ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) } : {}),
    });
    let handshaken = false;
    const done = (result: ProtocolProbe) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => done(handshaken ? { kind: 'tls' } : { kind: 'silent' });
    let timer = setTimeout(onAbort, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      handshaken = true;
      onHandshake?.();
      // a TLS 1.3 server refuses a missing or untrusted client certificate only after the handshake
      clearTimeout(timer);
      timer = setTimeout(onAbort, Math.min(TLS_ALERT_GRACE_MS, timeoutMs));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(tlsFailure(error, handshaken)));
    // a server that hangs up right after the handshake, before a byte of HTTP/2, refused the client certificate
    socket.once('close', () => done(handshaken ? { kind: 'tls-refused', code: HUNG_UP, message: 'the server hung up right after the handshake' } : { kind: 'plaintext' }));
  });
}

function tlsFailure(error: NodeJS.ErrnoException, handshaken: boolean): ProtocolProbe {
  const code = error.code ?? 'EUNKNOWN';
  const message = (error as { reason?: string }).reason ?? error.message;
  if (NOT_TLS_CODES.has(code) || (!handshaken && code === 'ECONNRESET')) return { kind: 'plaintext' };
  if (handshaken || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || CERTIFICATE_CODES.has(code)) return { kind: 'tls-refused', code, message };
  return { kind: 'other', code, message };
}

/** OpenSSL's verification codes Node passes on: the server speaks TLS, its certificate is not accepted. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** A TLS probe result that ends a connect early: TLS on one side only, or (with `tlsLikeProbe`) a handshake the attempt will fail too. */
function decisive(target: ConnectTarget, protocol: ProtocolProbe, tlsLikeProbe = false): boolean {
  return mismatchOf(target, protocol) || (tlsLikeProbe && target.tls !== undefined && protocol.kind === 'tls-refused');
}

/** A TLS probe result that explains a failure by itself (TLS on one side only), whatever the SDK says. */
function mismatchOf(target: ConnectTarget, protocol: ProtocolProbe): boolean {
  return target.tls ? protocol.kind === 'plaintext' : protocol.kind === 'tls' || protocol.kind === 'tls-refused';
}

// ---- explanations ---------------------------------------------------------

/** Words for a failed connect whose SDK error and probes do not name a network cause. */
export function explainProtocol(target: ConnectTarget, protocol: ProtocolProbe | undefined, error: unknown): Explanation {
  if (protocol?.kind === 'silent') return silent(target);
  if (protocol && mismatchOf(target, protocol)) return target.tls ? tlsClientPlainServer(target) : plainClientTlsServer(target);
  if (target.tls && protocol?.kind === 'tls-refused') return tlsHandshake(protocol.code, protocol.message);
  const message = errorMessage(error);
  if (error === undefined || /before the deadline|TimeoutExpired|timed? ?out/i.test(message)) return noHandshake(target);
  return { reason: 'unknown', text: `${message}.` };
}

/** What the SDK's error alone says for sure (the native bridge names its causes; grpc-js mostly does not). */
export function explainSdkError(target: ConnectTarget, error: unknown): Explanation | undefined {
  const status = grpcStatusOf(error);
  if (status) return rejected(status);
  const message = errorMessage(error);
  if (/ConnectionRefused|ECONNREFUSED/.test(message)) return explainServer(target, { kind: 'refused' });
  if (/dns error|ENOTFOUND|EAI_AGAIN/.test(message)) return explainServer(target, { kind: 'dns', code: /EAI_AGAIN/.test(message) ? 'EAI_AGAIN' : 'ENOTFOUND' });
  if (target.tls && /InvalidContentType|InvalidMessage|CorruptMessage/.test(message)) return tlsClientPlainServer(target);
  const certificate = /InvalidCertificate\((\w+)\)|received fatal alert: (\w+)/.exec(message);
  if (target.tls && certificate) return tlsHandshake(certificate[1] ?? certificate[2] ?? 'certificate', certificate[0]);
  if (/h2 protocol error|frame with invalid size|FRAME_SIZE_ERROR/.test(message)) return notGrpc(target, message);
  return undefined;
}

function tlsClientPlainServer(target: ConnectTarget): Explanation {
  const off = target.apiKey
    ? 'an API key turns TLS on: set TEMPORAL_TLS=false (or temporalConfig.tls: false) to send it in plaintext'
    : 'unset TEMPORAL_TLS (or temporalConfig.tls: false)';
  return { reason: 'tls-mismatch', text: `TLS handshake failed: the server at ${target.address} does not speak TLS; ${off}, or point ${ADDRESS_SETTINGS} at its TLS endpoint.` };
}

function plainClientTlsServer(target: ConnectTarget): Explanation {
  return {
    reason: 'tls-mismatch',
    text:
      `the server at ${target.address} speaks TLS and this connection does not. Set TEMPORAL_TLS=true (or temporalConfig.tls: true, or its CA and name ` +
      'with TEMPORAL_TLS_SERVER_CA_CERT_PATH / TEMPORAL_TLS_SERVER_NAME), and an API key or client certificate if the server asks for one.',
  };
}

/** Which TLS setting a failed handshake points at. */
type TlsFault = 'ca' | 'name' | 'client-certificate';

/** The fault behind a handshake error code (Node/OpenSSL, rustls). */
function tlsFaultOf(code: string): TlsFault {
  if (/ALTNAME|NotValidForName|HOSTNAME/i.test(code)) return 'name';
  if (code === HUNG_UP || /CERTIFICATE_REQUIRED|CertificateRequired|UNKNOWN_CA|UnknownCA|BAD_CERTIFICATE|BadCertificate|DecryptError|DECRYPT_ERROR/i.test(code))
    return 'client-certificate';
  return 'ca';
}

const TLS_HINTS: Record<TlsFault, string> = {
  ca: "the server's certificate is not trusted",
  name: "the server's certificate is not for the name connected to",
  'client-certificate': 'the server did not accept the client certificate (or wants one)',
};

const TLS_FIXES: Record<TlsFault, string> = {
  ca: "Give the CA that signed the server's certificate with TEMPORAL_TLS_SERVER_CA_CERT_PATH (or temporalConfig.tls.serverRootCaCertPath).",
  name: "Set the name on the server's certificate with TEMPORAL_TLS_SERVER_NAME (or temporalConfig.tls.serverNameOverride).",
  'client-certificate':
    'Give a client certificate the server trusts with TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or temporalConfig.tls.clientCertPath / clientKeyPath).',
};

/** A TLS handshake with a TLS server failed: which setting to look at, from the code Node or the native bridge gave. */
function tlsHandshake(code: string, detail: string): Explanation {
  const fault = tlsFaultOf(code);
  return { reason: 'tls-handshake', text: `TLS handshake failed: ${TLS_HINTS[fault]} (${detail}). ${TLS_FIXES[fault]}` };
}

function rejected(status: { code: string; details: string }): Explanation {
  return {
    reason: 'rejected',
    text:
      `the server turned the connection down (${status.code}: ${status.details}). Check the API key (TEMPORAL_API_KEY or temporalConfig.apiKey) ` +
      'or the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH or temporalConfig.tls.clientCertPath).',
  };
}

function notGrpc(target: ConnectTarget, detail: string): Explanation {
  return {
    reason: 'protocol',
    text: `something answered at ${target.address}, but not as a Temporal frontend (${shortDetail(detail)}). Is it the frontend's gRPC port (7233 by default, not the Web UI's)?`,
  };
}

/** Something answered, but no Temporal handshake (GetSystemInfo) came back by the deadline. */
function noHandshake(target: ConnectTarget): Explanation {
  if (target.proxy) return silent(target);
  return {
    reason: 'timeout',
    text:
      `the server answered, but no Temporal handshake completed within ${seconds(target.timeoutMs)}: is it a Temporal frontend (gRPC) port ` +
      `(7233 by default, not the Web UI's)? A slow server gets longer with ${CONNECT_TIMEOUT_ENV}=<seconds>.`,
  };
}

function silent(target: ConnectTarget): Explanation {
  const answer = target.proxy ? `no answer through the proxy ${target.proxy}` : 'the server accepted the connection but did not answer';
  const tlsHint = target.tls ? '' : ' If the server requires TLS, set TEMPORAL_TLS=true (or temporalConfig.tls).';
  return {
    reason: 'timeout',
    text: `${answer} within ${seconds(target.timeoutMs)}: is it a Temporal frontend (gRPC) port?${tlsHint} A slow server gets longer with ${CONNECT_TIMEOUT_ENV}=<seconds>.`,
  };
}

/** The gRPC status of a server that answered and refused the credentials, from a grpc-js `ServiceError` chain or a native error text. */
function grpcStatusOf(error: unknown): { code: string; details: string } | undefined {
  for (let link = error as { code?: unknown; details?: unknown; cause?: unknown } | undefined; link && typeof link === 'object'; link = link.cause as typeof link) {
    if (link.code === 16 || link.code === 7) return { code: link.code === 16 ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED', details: String(link.details ?? '') };
  }
  const native = /code: 'The (request does not have valid authentication credentials|caller does not have permission[^']*)', message: "([^"]*)"/.exec(errorMessage(error));
  if (native) return { code: native[1]?.startsWith('request') ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED', details: native[2] ?? '' };
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : error === undefined ? '' : String(error);
}

/** The readable part of a native transport error (`hyper::Error(Http2, ...GoAway(b"", FRAME_SIZE_ERROR...` -> `h2 protocol error: http2 error`). */
function shortDetail(detail: string): string {
  return /message: "([^"]+)"/.exec(detail)?.[1] ?? detail;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

// ---- probes, run once per connect -------------------------------------

/** The probes of one connect: each runs at most once, until the deadline, and stops when the connect is over. */
class Probes {
  private serverResult: Promise<ServerProbe> | undefined;
  private protocolResult: Promise<ProtocolProbe> | undefined;

  constructor(
    private readonly target: ConnectTarget,
    private readonly left: () => number,
    private readonly signal: AbortSignal,
    /** The server probe says hello in HTTP/2 (and waits for an answer). */
    private readonly hello: boolean,
  ) {}

  server(): Promise<ServerProbe> {
    return (this.serverResult ??= probeServer(this.target.host, this.target.port, this.left(), this.signal, this.hello));
  }

  /** Whether the server answered: the HTTP/2 hello (plaintext) or the TLS probe (TLS). */
  async answered(): Promise<boolean> {
    if (this.hello) return (await this.server()).kind === 'answered';
    const handshake = new Promise<boolean>((resolve) => (this.handshaken = () => resolve(true)));
    return Promise.race([handshake, this.protocol().then((protocol) => protocol.kind !== 'silent')]);
  }

  /** Set by {@link answered}: a completed TLS handshake is an answer, without the wait for a late alert. */
  private handshaken: () => void = () => undefined;

  protocol(): Promise<ProtocolProbe> {
    return (this.protocolResult ??= probeTls(this.target.host, this.target.port, this.target.tls, this.left(), this.signal, () => this.handshaken()));
  }
}
