/**
 * Runs the model-backed example Flock (reader -> briefer with a tool -> LLM
 * router -> engineeringNotes | executiveSummary) with a real model.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/scripts/model-demo.ts [--temporal] [--folder <dir>]
 *
 * The model comes from the environment (see demoModelFromEnv): FLOCK_MODEL,
 * or an OpenAI-compatible server at FLOCK_OPENAI_BASE_URL (Ollama, vLLM,
 * llama.cpp; model FLOCK_OPENAI_MODEL), or OPENAI_API_KEY, or ANTHROPIC_API_KEY.
 * In-process by default; with --temporal each agent step is a Temporal
 * activity (TEMPORAL_ADDRESS, or a dev server started for the run).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { RunResult, StepRecord } from '@flock-ts/core';
import { MODEL_BRIEFING_START_AGENT, createModelBriefingFlock, demoModelFromEnv, exampleCorpusPath } from '@flock-ts/examples';
import type { TemporalRunResult } from '@flock-ts/temporal';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { defaultCacheDir, startDevServer, type DevServer } from '../src';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../src/lib/flock-search-attributes';
import { temporal } from '@flock-ts/temporal';

const HOW_TO = `No model configured. Set one of:
  OPENAI_API_KEY=sk-...                                  (uses openai:gpt-4o-mini)
  ANTHROPIC_API_KEY=sk-ant-...                           (uses anthropic:claude-haiku-4-5)
  FLOCK_OPENAI_BASE_URL=http://localhost:11434/v1 FLOCK_OPENAI_MODEL=llama3.2   (Ollama, vLLM, llama.cpp server...)
  FLOCK_MODEL=<provider>:<model>                         (any of the above, explicitly)
The code-only demo needs no key: npm start
`;

function printStep(step: StepRecord): void {
  const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  const tokens = step.usage ? `${step.usage.totalTokens} tokens` : 'no model';
  process.stdout.write(`  ✓ ${step.agent.padEnd(17)} ${String(ms).padStart(6)} ms  ${tokens.padEnd(12)} -> ${Object.keys(step.output).join(', ')}\n`);
}

async function temporalConfig(): Promise<{ config: Record<string, unknown>; server?: DevServer }> {
  const external = process.env['TEMPORAL_ADDRESS'];
  if (external) {
    return { config: { serverUrl: external, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default', taskQueue: 'flock-model-demo' } };
  }
  process.stdout.write('Starting a Temporal dev server...\n');
  const server = await startDevServer({
    namespace: 'default',
    dbFilename: path.join(defaultCacheDir(), 'model-demo.db'),
    searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES },
  });
  if (server.uiUrl) process.env['TEMPORAL_UI_URL'] = server.uiUrl;
  return { config: { serverUrl: server.address, namespace: server.namespace, taskQueue: 'flock-model-demo' }, server };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { temporal: { type: 'boolean', default: false }, folder: { type: 'string' } } });
  const model = demoModelFromEnv();
  if (!model) {
    process.stderr.write(HOW_TO);
    process.exitCode = 2;
    return;
  }
  const folder = values.folder ?? exampleCorpusPath;
  let server: DevServer | undefined;
  try {
    let flock;
    if (values.temporal) {
      Runtime.install({ logger: new DefaultLogger('WARN') });
      const onTemporal = await temporalConfig();
      server = onTemporal.server;
      flock = createModelBriefingFlock({ model, executor: temporal(), temporalStartInProcessWorker: true, temporalConfig: onTemporal.config });
    } else {
      flock = createModelBriefingFlock({ model });
    }
    process.stdout.write(`Running flock "${flock.name}" with ${model} on ${folder}${values.temporal ? ' (on Temporal)' : ''}\n`);
    const result: RunResult = await flock.run({ startAgent: MODEL_BRIEFING_START_AGENT, input: { folder }, onStep: printStep });
    process.stdout.write(`\n${JSON.stringify(result.output, null, 2)}\n\n`);
    const usage = result.usage;
    process.stdout.write(`Agents: ${result.steps.map((step) => step.agent).join(' -> ')}\n`);
    process.stdout.write(`Tokens (agent steps): ${usage ? `${usage.inputTokens} in + ${usage.outputTokens} out = ${usage.totalTokens}` : 'none reported'}\n`);
    const temporalRun = (result as Partial<TemporalRunResult>).temporal;
    if (temporalRun) process.stdout.write(`Web UI: ${temporalRun.webUiUrl ?? temporalRun.workflowId}\n`);
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${(error as Error).message ?? String(error)}\n`);
  process.exitCode = 1;
});
