import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * A secured front for the plaintext dev server, as a Temporal Cloud or a
 * TLS-terminating ingress is: gRPC over TLS (optionally demanding a client
 * certificate: mTLS), and optionally an API key (`authorization: Bearer`).
 * Needed because the dev server of Temporal CLI 1.9.1 has no TLS options.
 * Requests that pass are forwarded, headers, data and trailers, over h2c.
 */
export interface SecureProxy {
  /** `127.0.0.1:<port>`. */
  address: string;
  /** Streams forwarded, and streams refused for a missing or wrong API key. */
  counts: { forwarded: number; refusedApiKey: number };
  /** TLS handshakes that failed (no or untrusted client certificate under mTLS). */
  tlsErrors: string[];
  close(): Promise<void>;
}

export interface SecureProxyOptions {
  /** The dev server, `host:port`. */
  target: string;
  certs: TestCertificates;
  /** Demand a client certificate signed by the test CA. */
  mutualTls?: boolean;
  /** Demand `authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

export async function startSecureProxy(options: SecureProxyOptions): Promise<SecureProxy> {
  const upstream = http2.connect(`http://${options.target}`);
  upstream.on('error', () => undefined);
  const counts = { forwarded: 0, refusedApiKey: 0 };
  const tlsErrors: string[] = [];
  const server = http2.createSecureServer({
    key: readFileSync(options.certs.serverKey),
    cert: readFileSync(options.certs.serverCert),
    ca: readFileSync(options.certs.caCert),
    requestCert: options.mutualTls === true,
    rejectUnauthorized: options.mutualTls === true,
  });
  server.on('tlsClientError', (error) => tlsErrors.push(error.message));
  // tracked so close() does not wait on the idle connections of clients and workers
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (options.apiKey !== undefined && headers['authorization'] !== `Bearer ${options.apiKey}`) {
      counts.refusedApiKey++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'missing or wrong API key' }, { endStream: true });
      return;
    }
    counts.forwarded++;
    const forward: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name === ':scheme' || name === ':authority' || value === undefined) continue;
      forward[name] = value;
    }
    const request = upstream.request(forward);
    request.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    let trailers: http2.OutgoingHttpHeaders = {};
    request.on('response', (response, flags) => {
      // a gRPC error without a body arrives as headers that end the stream: pass it on the same way
      if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) stream.respond(response, { endStream: true });
      else stream.respond(response, { waitForTrailers: true });
    });
    request.on('trailers', (received) => (trailers = received));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    request.on('data', (chunk: Buffer) => stream.write(chunk));
    request.on('end', () => {
      if (!stream.closed && !stream.writableEnded) stream.end();
    });
    stream.on('data', (chunk: Buffer) => request.write(chunk));
    stream.on('end', () => request.end());
    stream.on('close', () => {
      if (!request.closed) request.close(http2.constants.NGHTTP2_CANCEL);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    counts,
    tlsErrors,
    close: async () => {
      upstream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      });
    },
  };
}

/** Files of a throw-away PKI: a CA, a server certificate for `serverName`, a client certificate. */
export interface TestCertificates {
  dir: string;
  serverName: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

/** Generates the PKI with openssl (P-256 keys, one day valid). */
export function makeTestCertificates(dir: string, serverName = 'flock-temporal.test'): TestCertificates {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  const leaf = (name: string, cn: string, caName: string, extensions: string) => {
    openssl('req', '-new', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${caName}.pem`),
      '-CAkey',
      file(`${caName}.key`),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    );
  };
  ca('ca', 'Flock Test CA');
  ca('stranger-ca', 'Some Other CA');
  leaf('server', serverName, 'ca', `subjectAltName=DNS:${serverName},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  leaf('client', 'flock-worker', 'ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  leaf('stranger', 'intruder', 'stranger-ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  return {
    dir,
    serverName,
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.pem'),
    strangerKey: file('stranger.key'),
  };
}
