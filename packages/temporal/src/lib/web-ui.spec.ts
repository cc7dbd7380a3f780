import { resolveConnection } from './connection';
import { flockRunWebUiUrl } from './run-start';
import { WEB_UI_UNKNOWN, webUiBaseUrl, webUiWorkflowLink } from './web-ui';

describe('Web UI links', () => {
  it('uses TEMPORAL_UI_URL when set, without its trailing slash', () => {
    expect(webUiBaseUrl({}, { TEMPORAL_UI_URL: 'https://ui.example.com/' })).toBe('https://ui.example.com');
  });

  it('takes temporalConfig.webUiUrl over TEMPORAL_UI_URL', () => {
    expect(webUiBaseUrl({ webUiUrl: 'http://127.0.0.1:40123/' }, { TEMPORAL_UI_URL: 'https://ui.example.com' })).toBe('http://127.0.0.1:40123');
  });

  it('knows no link without either, not even for a local server (its UI may be on any port, or none)', () => {
    expect(webUiBaseUrl({}, {})).toBeUndefined();
    expect(webUiBaseUrl({ webUiUrl: ' ' }, { TEMPORAL_UI_URL: '' })).toBeUndefined();
  });

  it('links a run, escaping what needs it', () => {
    expect(webUiWorkflowLink('http://ui', 'flock example', 'docs-r1', 'abc')).toBe('http://ui/namespaces/flock%20example/workflows/docs-r1/abc/history');
    expect(webUiWorkflowLink('http://ui', 'default', 'docs/r2')).toBe('http://ui/namespaces/default/workflows/docs%2Fr2');
  });

  it('says where to set the address when none is known', () => {
    expect(WEB_UI_UNKNOWN).toBe('none known (set TEMPORAL_UI_URL or temporalConfig.webUiUrl)');
  });
});

describe('flockRunWebUiUrl', () => {
  const ENV = 'TEMPORAL_UI_URL';
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env[ENV];
    delete process.env[ENV];
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
  });

  it("links a run from the connection's webUiUrl, over TEMPORAL_UI_URL", () => {
    process.env[ENV] = 'http://env-ui';
    expect(flockRunWebUiUrl({ namespace: 'default', webUiUrl: 'http://config-ui/' }, 'docs-r1', 'run-1')).toBe(
      'http://config-ui/namespaces/default/workflows/docs-r1/run-1/history',
    );
    expect(flockRunWebUiUrl({ namespace: 'default' }, 'docs-r1')).toBe('http://env-ui/namespaces/default/workflows/docs-r1');
  });

  it('gives no link for a dev server on localhost:7233 when no UI address is known', () => {
    const connection = resolveConnection({ serverUrl: 'localhost:7233' }, {});
    expect(flockRunWebUiUrl(connection, 'docs-r1', 'run-1')).toBeUndefined();
  });
});
