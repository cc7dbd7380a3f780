import { createServer, type Server } from 'node:net';
import { getFreePort, isPortFree } from './free-port';

describe('free ports', () => {
  let holder: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
    holder = undefined;
  });

  it('finds a port that can then be bound', async () => {
    const port = await getFreePort();
    expect(await isPortFree(port)).toBe(true);
  });

  it('sees a port in use as not free', async () => {
    const port = await getFreePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder?.listen(port, '127.0.0.1', resolve));
    expect(await isPortFree(port)).toBe(false);
  });
});
