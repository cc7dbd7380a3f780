import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveConnection } from './connection';

// An empty environment apart from what each test sets: no config file, no profile.
const env = (vars: Record<string, string> = {}) => ({ TEMPORAL_CONFIG_FILE: path.join(tmpdir(), 'no-such-temporal.toml'), ...vars });

describe('resolveConnection', () => {
  it('falls back to localhost:7233 and the default namespace', () => {
    const resolved = resolveConnection({}, env());
    expect(resolved).toMatchObject({ address: 'localhost:7233', namespace: 'default' });
    expect(resolved.connectionOptions.tls).toBeUndefined();
  });

  it('honours TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const resolved = resolveConnection({}, env({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'flock-example' }));
    expect(resolved).toMatchObject({ address: 'temporal:7233', namespace: 'flock-example' });
  });

  it('lets explicit options win over the environment', () => {
    const resolved = resolveConnection({ serverUrl: 'prod:7233', namespace: 'agents' }, env({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'flock-example' }));
    expect(resolved).toMatchObject({ address: 'prod:7233', namespace: 'agents' });
    expect(resolved.connectionOptions.address).toBe('prod:7233');
  });

  it('takes the Web UI address from temporalConfig.webUiUrl over TEMPORAL_UI_URL, and has none without either', () => {
    expect(resolveConnection({}, env()).webUiUrl).toBeUndefined();
    expect(resolveConnection({}, env({ TEMPORAL_UI_URL: 'http://ui.example:8080' })).webUiUrl).toBe('http://ui.example:8080');
    expect(resolveConnection({ webUiUrl: 'https://ui.prod' }, env({ TEMPORAL_UI_URL: 'http://ui.example:8080' })).webUiUrl).toBe('https://ui.prod');
  });

  it('sends an API key over TLS, from options or TEMPORAL_API_KEY', () => {
    const fromEnv = resolveConnection({}, env({ TEMPORAL_API_KEY: 'key-from-env' }));
    expect(fromEnv.connectionOptions).toMatchObject({ apiKey: 'key-from-env', tls: true });
    const explicit = resolveConnection({ apiKey: 'key-from-options' }, env({ TEMPORAL_API_KEY: 'key-from-env' }));
    expect(explicit.connectionOptions.apiKey).toBe('key-from-options');
  });

  it('reads CA, client certificate and key files for mTLS', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flock-tls-'));
    const file = (name: string, text: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const resolved = resolveConnection(
      {
        tls: {
          serverNameOverride: 'temporal.internal',
          serverRootCaCertPath: file('ca.pem', 'CA PEM'),
          clientCertPath: file('client.pem', 'CERT PEM'),
          clientKeyPath: file('client.key', 'KEY PEM'),
        },
      },
      env(),
    );
    const tls = resolved.connectionOptions.tls as { serverNameOverride?: string; serverRootCACertificate?: Uint8Array; clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
    const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(text(tls.serverRootCACertificate)).toBe('CA PEM');
    expect(text(tls.clientCertPair?.crt)).toBe('CERT PEM');
    expect(text(tls.clientCertPair?.key)).toBe('KEY PEM');
  });

  it('turns TLS off when asked, even with TEMPORAL_TLS set', () => {
    expect(resolveConnection({ tls: false }, env({ TEMPORAL_TLS: 'true' })).connectionOptions.tls).toBe(false);
  });
});
