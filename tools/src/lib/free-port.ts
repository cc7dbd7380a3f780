import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now. Another process may take it
 * before the server binds it; {@link startDevServer} retries in that case.
 *
 * @example
 * const port = await getFreePort(); // e.g. 39113
 */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * True when nothing listens on `port` of `host` and this process may bind it.
 *
 * @example
 * const port = (await isPortFree(7233)) ? 7233 : await getFreePort();
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
