import { Flock } from '@flock-ts/core';
import { decodeFlockMemo } from '@flock-ts/serialization';
import { eventually, temporalConfigFor, testClient, uniqueQueue } from './harness';
import { temporal } from '../src';

const SECRETS = ['sk-live-0123456789abcdefSECRET', 'hunter2-very-secret', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'];

function secretFlock(name: string) {
  return new Flock({
    name,
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig: temporalConfigFor(uniqueQueue('memo')),
    metadata: { owner: 'team-agents', password: SECRETS[1] },
    agents: [
      {
        name: 'writer',
        description: 'writes a line',
        input: 'topic: string | what to write about',
        output: 'line: string',
        settings: { apiKey: SECRETS[0], style: 'terse', nested: { githubToken: SECRETS[2] } },
        evaluate: ({ topic }) => ({ line: `on ${String(topic)}` }),
      },
    ],
  });
}

describe('memo, secrets and search attributes on a real server', () => {
  it('stores the secret-free flock definition in the memo', async () => {
    const flock = secretFlock('memo-flock');
    const result = await flock.run({ startAgent: 'writer', input: { topic: 'memos' } });
    const client = await testClient();
    try {
      const description = await client.workflow.getHandle(result.temporal.workflowId).describe();
      const definition = decodeFlockMemo(description.memo ?? {});
      expect(definition.name).toBe('memo-flock');
      expect(definition.agents.map((a) => a.name)).toEqual(['writer']);
      expect(definition.agents[0].input).toBe('topic: string | what to write about');
      expect(definition.agents[0].settings['style']).toBe('terse');
      expect(JSON.stringify(description.memo)).not.toMatch(/sk-live|hunter2|ghp_/);
    } finally {
      await client.connection.close();
    }
  }, 60_000);

  it('keeps every secret out of the whole workflow history', async () => {
    const flock = secretFlock('history-flock');
    const result = await flock.run({ startAgent: 'writer', input: { topic: 'history' } });
    const client = await testClient();
    try {
      const history = await client.workflow.getHandle(result.temporal.workflowId).fetchHistory();
      const text = JSON.stringify(history, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
      expect(text).toContain('history-flock'); // payloads were decoded into the text we search
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    } finally {
      await client.connection.close();
    }
  }, 60_000);

  it('makes runs findable by FlockName, StartAgent and SessionId', async () => {
    const flockName = `search-${Date.now()}`;
    const sessionId = `session-${Date.now()}`;
    const flock = secretFlock(flockName);
    const result = await flock.run({ startAgent: 'writer', input: { topic: 'search' }, sessionId });
    const client = await testClient();
    try {
      const found = await eventually(async () => {
        const ids: string[] = [];
        for await (const run of client.workflow.list({
          query: `FlockName = '${flockName}' AND SessionId = '${sessionId}' AND StartAgent = 'writer'`,
        })) {
          ids.push(run.workflowId);
        }
        return ids.length > 0 ? ids : undefined;
      });
      expect(found).toEqual([result.temporal.workflowId]);
    } finally {
      await client.connection.close();
    }
  }, 60_000);

  it('marks a run FlockRunPhase running while in flight and completed after', async () => {
    const flockName = `phase-${Date.now()}`;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const flock = new Flock({
      name: flockName,
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('phase')),
      agents: [{ name: 'waiter', input: 'x: string', output: 'x: string', evaluate: async ({ x }) => (await gate, { x }) }],
    });
    const client = await testClient();
    const runsIn = (phase: string) =>
      eventually(async () => {
        const ids: string[] = [];
        for await (const run of client.workflow.list({ query: `FlockName = '${flockName}' AND FlockRunPhase = '${phase}'` })) {
          ids.push(run.workflowId);
        }
        return ids.length > 0 ? ids : undefined;
      });
    try {
      const run = flock.run({ startAgent: 'waiter', input: { x: 'a' } });
      const running = await runsIn('running');
      release();
      const result = await run;
      expect(running).toEqual([result.temporal.workflowId]);
      expect(await runsIn('completed')).toEqual([result.temporal.workflowId]);
    } finally {
      release();
      await client.connection.close();
    }
  }, 60_000);
});
