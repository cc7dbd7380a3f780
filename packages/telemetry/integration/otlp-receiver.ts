import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request an OTLP receiver got. */
export interface ReceivedExport {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A local OTLP/HTTP receiver on a free port: answers 200 to every POST and keeps the bodies. */
export interface OtlpHttpReceiver {
  endpoint: string;
  received: ReceivedExport[];
  /** Spans of every http/json export so far, with their resource's service name. */
  jsonSpans(): Array<{ serviceName: string; name: string; traceId: string; spanId: string; parentSpanId?: string; attributes: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startOtlpHttpReceiver(): Promise<OtlpHttpReceiver> {
  const received: ReceivedExport[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      const json = String(req.headers['content-type']).includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    jsonSpans: () =>
      received
        .filter((r) => r.contentType.includes('json'))
        .flatMap((r) => (JSON.parse(r.body.toString('utf8')) as OtlpJsonRequest).resourceSpans)
        .flatMap((rs) => {
          const serviceName = String(attributeMap(rs.resource?.attributes)['service.name'] ?? '');
          return rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((span) => ({
              serviceName,
              name: span.name,
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              attributes: attributeMap(span.attributes),
            })),
          );
        }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface OtlpJsonAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}
interface OtlpJsonRequest {
  resourceSpans: Array<{
    resource?: { attributes?: OtlpJsonAttribute[] };
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; attributes?: OtlpJsonAttribute[] }> }>;
  }>;
}

function attributeMap(attributes: OtlpJsonAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => [key, value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined)]),
  );
}
