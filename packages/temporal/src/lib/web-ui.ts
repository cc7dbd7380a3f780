/**
 * Base URL of the Temporal Web UI: env `TEMPORAL_UI_URL` when set, else the
 * dev server's convention (gRPC port + 1000 on the same host), else undefined.
 */
export function webUiBaseUrl(address: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const explicit = env['TEMPORAL_UI_URL'];
  if (explicit) return explicit.replace(/\/+$/, '');
  const match = /^(localhost|127\.0\.0\.1|\[::1\]):(\d+)$/.exec(address);
  if (!match) return undefined;
  return `http://${match[1]}:${Number(match[2]) + 1000}`;
}

/** Link to one workflow execution in the Web UI. */
export function webUiWorkflowLink(base: string, namespace: string, workflowId: string, runId?: string): string {
  const path = `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${path}/${encodeURIComponent(runId)}/history` : path;
}
