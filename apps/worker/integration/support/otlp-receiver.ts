import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as an OTLP/HTTP JSON export carries it, with its resource's service name. */
export interface ReceivedSpan {
  serviceName: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

/** A local OTLP/HTTP (JSON) receiver on a free port, standing in for a collector. */
export interface OtlpJsonReceiver {
  endpoint: string;
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

interface JsonAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

function attributes(list: JsonAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [key, value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined)]),
  );
}

export async function startOtlpJsonReceiver(): Promise<OtlpJsonReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/v1/traces' && String(req.headers['content-type']).includes('json')) {
        type Request = {
          resourceSpans: Array<{
            resource?: { attributes?: JsonAttribute[] };
            scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; attributes?: JsonAttribute[] }> }>;
          }>;
        };
        for (const rs of (JSON.parse(body) as Request).resourceSpans) {
          const serviceName = String(attributes(rs.resource?.attributes)['service.name']);
          for (const ss of rs.scopeSpans) {
            for (const span of ss.spans) {
              spans.push({
                serviceName,
                name: span.name,
                traceId: span.traceId,
                spanId: span.spanId,
                ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
                attributes: attributes(span.attributes),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
