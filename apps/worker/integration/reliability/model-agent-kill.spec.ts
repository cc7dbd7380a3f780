/**
 * A worker is SIGKILLed while a model agent's step is between its tool call
 * and the model call after it (the stand-in holds that model call back).
 * With `durability: 'call'` the tool call was recorded as its own activity:
 * on a new worker the run resumes with the model call, and the email is
 * sent once. With `durability: 'step'` (the default) the step is one
 * activity: the new worker runs the whole step again, model calls and tool
 * call included, so the email is sent twice (what the docs say of 'step').
 * The model is the OpenAI-compatible stand-in, over HTTP.
 */
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInRequest } from '@flock-ts/llm/testing';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeWorkflowBundle } from '../../src/lib/workflow-bundle-file';
import { createMailerFlock } from '../fixtures/mailer-flock';
import { eventually, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';
import { WORKER } from './support';

jest.setTimeout(120_000);

const MAILER_FLOCK = 'apps/worker/integration/fixtures/mailer-flock.ts';
const suffix = randomUUID().slice(0, 8);
const server = testServer();
const children: ChildHandle[] = [];
let dir: string;
let bundle: string;
let runs: FlockRunsClient;
let model: OpenAICompatibleStandIn | undefined;

function startWorker(name: string, ledger: string, durability: 'step' | 'call'): ChildHandle {
  const child = spawnSource(WORKER, ['--server', server.address, '--namespace', server.namespace, '--task-queue', name, '--flock', MAILER_FLOCK, '--workflow-bundle', bundle], {
    FLOCK_IT_FLOCK_NAME: name,
    FLOCK_IT_LEDGER: ledger,
    FLOCK_IT_DURABILITY: durability,
    FLOCK_OPENAI_BASE_URL: model?.baseUrl,
  });
  children.push(child);
  return child;
}

/** Lines the tool wrote: one per email sent. */
function sent(ledger: string): Array<{ to: string; pid: number; key: string }> {
  if (!existsSync(ledger)) return [];
  return readFileSync(ledger, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, to, pid, key] = line.split(' ');
      return { to, pid: Number(pid), key };
    });
}

const hasToolResult = (request: StandInRequest) => JSON.stringify(request.body['messages']).includes('"role":"tool"');

/** The model: asks for the email once, then answers once it sees the tool's result; the first answer is held back 30 s (the worker is killed meanwhile). */
function scriptModel(to: string): void {
  let answers = 0;
  const script = (request: StandInRequest) => {
    if (!hasToolResult(request)) return { toolCalls: [{ name: 'sendEmail', args: { to, subject: 'Your order' } }] };
    answers += 1;
    return { output: { status: `sent to ${to}` }, delayMs: answers === 1 ? 30_000 : 0 };
  };
  model?.reply(...Array.from({ length: 10 }, () => script));
}

async function runKilledBetweenToolAndModel(durability: 'step' | 'call') {
  const name = `mailer-${durability}-${suffix}`;
  const ledger = path.join(dir, `${durability}.txt`);
  const to = `${durability}@example.com`;
  // a stand-in of its own: no script left over from another test
  await model?.close();
  model = await startOpenAICompatibleStandIn();
  scriptModel(to);
  const first = startWorker(name, ledger, durability);
  await first.waitForOutput(/polling task queue\(s\) /);
  const { workflowId } = await runs.start(createMailerFlock(name, undefined, durability), { startAgent: 'mailer', input: { to }, taskQueue: name });
  // the email is sent and the model call after it is in flight
  await eventually(async () => (model?.requests.some(hasToolResult) && sent(ledger).length === 1 ? true : undefined), 60_000, 'model called after the tool');
  first.child.kill('SIGKILL');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  const second = startWorker(name, ledger, durability);
  const result = await runs.result(workflowId);
  return { result, emails: sent(ledger), firstPid: first.child.pid as number, secondPid: second.child.pid as number, requests: model?.requests.length, workflowId };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-model-kill-'));
  bundle = path.join(dir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundle);
  runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {}));
});

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child)));
  await runs?.close();
  await model?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker SIGKILLed between a tool call and the next model call (OpenAI-compatible stand-in over HTTP)', () => {
  it("with durability 'call', the run completes on a new worker and the tool's side effect happens exactly once", async () => {
    const { result, emails, firstPid, requests } = await runKilledBetweenToolAndModel('call');
    expect(result.output).toEqual({ status: 'sent to call@example.com' });
    expect(emails).toEqual([{ to: 'call@example.com', pid: firstPid, key: expect.stringMatching(/:0:mailer:tool:1$/) }]);
    // the tool-calling model call is not made again: the first, the held-back one, its retry
    expect(requests).toBe(3);
    expect(result.usage?.modelCalls).toBe(2);
  });

  it("with durability 'step', the new worker runs the whole step again: the email is sent twice, with the same idempotency key", async () => {
    const { result, emails, firstPid, secondPid, requests } = await runKilledBetweenToolAndModel('step');
    expect(result.output).toEqual({ status: 'sent to step@example.com' });
    expect(emails.map((email) => email.pid)).toEqual([firstPid, secondPid]);
    expect(new Set(emails.map((email) => email.key)).size).toBe(1);
    // both model calls again: 2 before the kill, 2 after
    expect(requests).toBe(4);
  });
});
