// What a library user's script prints of the Temporal SDK's own records:
// nothing below a warning by default, the rest with FLOCK_LOG_LEVEL, and
// never a raw task token (whoever holds one can complete the task).
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import path from 'node:path';
import { testServer, uniqueQueue } from './harness';

async function runScript(env: Record<string, string>, address = testServer().address): Promise<{ code: number | null; output: string; signal: NodeJS.Signals | null }> {
  const { namespace } = testServer();
  const fixture = path.join(__dirname, 'fixtures', 'run-once-without-close.ts');
  const child = spawn(process.execPath, ['--conditions=@flock-ts/source', '--import', 'tsx', fixture, address, namespace, uniqueQueue('sdk-logs')], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, FLOCK_LOG_LEVEL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  return { code, output, signal };
}

describe('the Temporal SDK records of a script with in-process workers', () => {
  it('are quiet by default: the run result and nothing else', async () => {
    const { code, output } = await runScript({});
    expect(code).toBe(0);
    expect(output).toBe('{"done":true,"output":{"n":42}}\n');
  }, 60_000);

  it('come through the Flock logger with FLOCK_LOG_LEVEL=info, task tokens redacted', async () => {
    const { code, output } = await runScript({ FLOCK_LOG_LEVEL: 'info' });
    expect(code).toBe(0);
    expect(output).toContain('Worker state changed');
    expect(output).toMatch(/\[flock\] Evaluating agent .*taskToken=\[redacted\]/);
    // a raw token is base64 of a protobuf: long, no spaces
    expect(output).not.toMatch(/taskToken[=:] ?'?[A-Za-z0-9+/]{40,}/);
  }, 60_000);

  it('hold nothing open when the connect fails: the script ends with the error, not at the kill', async () => {
    const refused = await new Promise<string>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(`127.0.0.1:${port}`));
      });
    });
    const { code, signal, output } = await runScript({}, refused);
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    expect(output).toContain(`Cannot reach Temporal at ${refused}`);
  }, 60_000);
});
