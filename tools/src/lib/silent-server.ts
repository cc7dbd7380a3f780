import { createServer, type Socket } from 'node:net';

/** A TCP server that accepts connections and never says a word: an open port that is not Temporal. */
export interface SilentServer {
  /** `host:port` */
  address: string;
  close(): Promise<void>;
}

/**
 * Starts a {@link SilentServer} on a free port of `host`, for tests of what
 * clients say about a server that does not answer.
 *
 * @example
 * const silent = await startSilentServer();
 * // ... connect to silent.address, expect a timeout ...
 * await silent.close();
 */
export async function startSilentServer(host = '127.0.0.1'): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `${host}:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
