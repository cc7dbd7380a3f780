import { webUiBaseUrl, webUiWorkflowLink } from './web-ui';

describe('Web UI links', () => {
  it('uses TEMPORAL_UI_URL when set', () => {
    expect(webUiBaseUrl('temporal:7233', { TEMPORAL_UI_URL: 'https://ui.example.com/' })).toBe('https://ui.example.com');
  });

  it("follows the dev server's convention on a local address", () => {
    expect(webUiBaseUrl('localhost:7233', {})).toBe('http://localhost:8233');
    expect(webUiBaseUrl('127.0.0.1:40000', {})).toBe('http://127.0.0.1:41000');
  });

  it('knows no link for a remote server without TEMPORAL_UI_URL', () => {
    expect(webUiBaseUrl('temporal.prod:7233', {})).toBeUndefined();
  });

  it('links a run, escaping what needs it', () => {
    expect(webUiWorkflowLink('http://ui', 'flock example', 'docs-r1', 'abc')).toBe('http://ui/namespaces/flock%20example/workflows/docs-r1/abc/history');
    expect(webUiWorkflowLink('http://ui', 'default', 'docs/r2')).toBe('http://ui/namespaces/default/workflows/docs%2Fr2');
  });
});
