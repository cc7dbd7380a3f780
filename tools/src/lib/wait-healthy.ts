import { Connection } from '@temporalio/client';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** What to wait for and when to give up. */
export interface HealthWait {
  /** `host:port` of the frontend gRPC service. */
  address: string;
  /** Namespace that must be describable before the server counts as ready. */
  namespace: string;
  /** `Date.now()` value after which waiting fails. */
  deadline: number;
  /** Returns why waiting is pointless (the process died), else `undefined`. */
  failure: () => string | undefined;
}

/** Polls until `host:port` accepts a TCP connection. @internal */
export async function waitForPort(host: string, port: number, deadline: number, failure: () => string | undefined): Promise<void> {
  let pause = 10;
  for (;;) {
    const why = failure();
    if (why) throw new Error(why);
    if (await accepts(host, port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await delay(pause);
    pause = Math.min(pause * 2, 200);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until the Temporal frontend answers `DescribeNamespace` for the
 * namespace: the port accepting connections is not enough, the frontend
 * listens before its namespace registry is loaded. Polls with a growing
 * pause, never a fixed sleep.
 *
 * @throws Error when `failure()` reports a reason or the deadline passes.
 */
export async function waitUntilHealthy(wait: HealthWait): Promise<void> {
  const [host, portText] = splitAddress(wait.address);
  await waitForPort(host, Number(portText), wait.deadline, wait.failure);
  let pause = 20;
  let lastError = '';
  for (;;) {
    const why = wait.failure();
    if (why) throw new Error(why);
    const remaining = wait.deadline - Date.now();
    if (remaining <= 0) throw new Error(`no healthy answer from ${wait.address}: ${lastError}`);
    try {
      const connection = await Connection.connect({
        address: wait.address,
        connectTimeout: Math.min(2_000, Math.max(remaining, 100)),
      });
      try {
        await connection.withDeadline(Date.now() + Math.min(2_000, Math.max(remaining, 100)), () => connection.workflowService.describeNamespace({ namespace: wait.namespace }));
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = (error as Error).message;
    }
    await delay(pause);
    pause = Math.min(pause * 2, 250);
  }
}

/** Splits `host:port` (IPv6 hosts in brackets). @internal */
export function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  if (at <= 0) throw new Error(`not a host:port address: ${address}`);
  return [address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), address.slice(at + 1)];
}
