/**
 * What to print where a Web UI link would go when the UI's address is not
 * known (flockctl, scripts), so every place says the same.
 */
export const WEB_UI_UNKNOWN = 'none known (set TEMPORAL_UI_URL or temporalConfig.webUiUrl)';

/**
 * Base URL of the Temporal Web UI, when its address is known:
 * `temporalConfig.webUiUrl`, else env `TEMPORAL_UI_URL`, else undefined
 * (links are left out, see {@link WEB_UI_UNKNOWN}). Never guessed from the
 * gRPC address: a dev server serves its UI on any port it was given, or on
 * none (`--headless`), and `temporal-server` has none.
 *
 * @example
 * webUiBaseUrl({ webUiUrl: 'http://127.0.0.1:8233/' }) // => 'http://127.0.0.1:8233'
 * webUiBaseUrl({}, { TEMPORAL_UI_URL: 'https://ui.example.com' }) // => 'https://ui.example.com'
 */
export function webUiBaseUrl(configured: { webUiUrl?: string } = {}, env: Record<string, string | undefined> = process.env): string | undefined {
  const url = configured.webUiUrl?.trim() || env['TEMPORAL_UI_URL']?.trim();
  return url ? url.replace(/\/+$/, '') : undefined;
}

/** Link to one workflow execution in the Web UI. */
export function webUiWorkflowLink(base: string, namespace: string, workflowId: string, runId?: string): string {
  const path = `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${path}/${encodeURIComponent(runId)}/history` : path;
}
