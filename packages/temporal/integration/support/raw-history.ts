import { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/**
 * A run's history and description exactly as the server stores them: read
 * through the raw gRPC service, so no data converter or codec touches a
 * payload. What an operator with database access would see.
 */
export async function rawRun(
  address: string,
  namespace: string,
  workflowId: string,
): Promise<{ events: temporal.api.history.v1.IHistoryEvent[]; memo: temporal.api.common.v1.IMemo | null | undefined; text: string }> {
  const connection = await Connection.connect({ address });
  try {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    const description = await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
    const memo = description.workflowExecutionInfo?.memo;
    return { events, memo, text: bytesAsText({ events, memo }) };
  } finally {
    await connection.close();
  }
}

/**
 * JSON of a proto value with every byte string read as UTF-8, so plaintext
 * in payloads shows up in a search. Walks the value itself: protobuf
 * messages have a `toJSON` that would turn bytes into base64 first.
 */
export function bytesAsText(value: unknown): string {
  return JSON.stringify(plain(value));
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).map((key) => [key, plain((value as Record<string, unknown>)[key])]));
}

/** A fresh base64 AES-256 key. */
export function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
}

/** An environment with nothing but `vars`: no TEMPORAL_* leaking in from the machine, no config file. */
export function isolatedEnv(vars: Record<string, string> = {}): Record<string, string> {
  return { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', ...vars };
}
