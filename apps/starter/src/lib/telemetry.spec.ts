import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StarterCommand } from './cli';
import { withStarterTelemetry } from './telemetry';

const command = { command: 'run' } as StarterCommand;

/** A local OTLP/HTTP JSON receiver: the span names and service names it got. */
async function receiver() {
  const got: Array<{ service: string; name: string; status?: number }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      type Attr = { key: string; value: { stringValue?: string } };
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{ resource: { attributes: Attr[] }; scopeSpans: Array<{ spans: Array<{ name: string; status?: { code?: number } }> }> }>;
      };
      for (const rs of parsed.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const span of ss.spans) got.push({ service, name: span.name, status: span.status?.code });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  };
  return { got, env, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('withStarterTelemetry', () => {
  it('only runs the command when no OTLP endpoint is set', async () => {
    await expect(withStarterTelemetry(command, async () => 0, {})).resolves.toBe(0);
  });

  it('exports the command as a "flockctl <command>" span of service flockctl before it returns', async () => {
    const otlp = await receiver();
    try {
      await expect(withStarterTelemetry(command, async () => 0, otlp.env)).resolves.toBe(0);
      expect(otlp.got).toEqual([{ service: 'flockctl', name: 'flockctl run', status: 0 }]);
    } finally {
      await otlp.close();
    }
  });

  it('marks a failed command (non-zero exit status) as an error span', async () => {
    const otlp = await receiver();
    try {
      await expect(withStarterTelemetry(command, async () => 1, otlp.env)).resolves.toBe(1);
      // OTLP status codes: 0 unset, 2 error
      expect(otlp.got).toEqual([{ service: 'flockctl', name: 'flockctl run', status: 2 }]);
    } finally {
      await otlp.close();
    }
  });

  it('rejects OTEL settings it cannot honour', async () => {
    await expect(withStarterTelemetry(command, async () => 0, { OTEL_TRACES_EXPORTER: 'jaeger' })).rejects.toMatchObject({ name: 'TelemetryConfigError' });
  });
});
