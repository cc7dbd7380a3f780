import { Client, Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '@flock-ts/temporal';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { testTemporalEnv, uniqueName } from '../src/lib/test-temporal-env';
import { eventually } from './support';

const FlockName = defineSearchAttributeKey('FlockName', SearchAttributeType.KEYWORD);
const StartAgent = defineSearchAttributeKey('StartAgent', SearchAttributeType.KEYWORD);
const SessionId = defineSearchAttributeKey('SessionId', SearchAttributeType.KEYWORD);
const FLOCK_ATTRIBUTES = { FlockName: 'Keyword', StartAgent: 'Keyword', SessionId: 'Keyword' } as const;

describe('ensureSearchAttributes on a real server', () => {
  const { address } = testTemporalEnv();
  let connection: Connection;

  beforeAll(async () => {
    connection = await Connection.connect({ address });
  });

  afterAll(async () => {
    await connection?.close();
  });

  /** A namespace of its own: the dev server's `--search-attribute` flags never touched it. */
  async function freshNamespace(): Promise<string> {
    const namespace = uniqueName('tools-sa').slice(0, 40);
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await eventually(async () => {
      try {
        await connection.operatorService.listSearchAttributes({ namespace });
        return true;
      } catch {
        return undefined;
      }
    });
    return namespace;
  }

  async function customNames(namespace: string): Promise<string[]> {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.keys(customAttributes ?? {});
  }

  it('adds the missing attributes, and a workflow started with them is found by a query', async () => {
    const namespace = await freshNamespace();
    expect(await customNames(namespace)).not.toContain('FlockName');

    const { added } = await ensureSearchAttributes(connection, namespace, FLOCK_ATTRIBUTES);

    expect(added.sort()).toEqual(['FlockName', 'SessionId', 'StartAgent']);
    expect(await customNames(namespace)).toEqual(expect.arrayContaining(['FlockName', 'StartAgent', 'SessionId']));

    const client = new Client({ connection, namespace });
    const flockName = uniqueName('research-flock');
    const workflowId = uniqueName('sa-run');
    // No worker needed: a started workflow is visible while it waits for one.
    const handle = await client.workflow.start('flockWorkflow', {
      taskQueue: uniqueName('nobody-polls'),
      workflowId,
      typedSearchAttributes: [
        { key: FlockName, value: flockName },
        { key: StartAgent, value: 'planner' },
        { key: SessionId, value: 'session-42' },
      ],
    });
    try {
      const found = await eventually(async () => {
        const runs = [];
        for await (const run of client.workflow.list({ query: `FlockName = '${flockName}'` })) runs.push(run);
        return runs.length > 0 ? runs : undefined;
      });
      expect(found.map((run) => run.workflowId)).toEqual([workflowId]);
      expect(found[0]?.typedSearchAttributes.get(StartAgent)).toBe('planner');
      expect(found[0]?.typedSearchAttributes.get(SessionId)).toBe('session-42');
    } finally {
      await handle.terminate('test done');
    }
  });

  it('is idempotent: a second call adds nothing', async () => {
    const namespace = await freshNamespace();
    await ensureSearchAttributes(connection, namespace, FLOCK_ATTRIBUTES);

    const again = await ensureSearchAttributes(connection, namespace, FLOCK_ATTRIBUTES);

    expect(again.added).toEqual([]);
  });

  it('tolerates concurrent registration of the same attributes', async () => {
    const namespace = await freshNamespace();

    const results = await Promise.all([
      ensureSearchAttributes(connection, namespace, FLOCK_ATTRIBUTES),
      ensureSearchAttributes(connection, namespace, FLOCK_ATTRIBUTES),
      ensureSearchAttributes(connection, namespace, FLOCK_ATTRIBUTES),
    ]);

    expect(results).toHaveLength(3);
    expect(await customNames(namespace)).toEqual(expect.arrayContaining(['FlockName', 'StartAgent', 'SessionId']));
  });

  it('adds only what is missing when some attributes exist', async () => {
    const namespace = await freshNamespace();
    await ensureSearchAttributes(connection, namespace, { FlockName: 'Keyword' });

    const { added } = await ensureSearchAttributes(connection, namespace, { ...FLOCK_ATTRIBUTES, Attempts: 'Int' });

    expect(added.sort()).toEqual(['Attempts', 'SessionId', 'StartAgent']);
  });

  it('rejects a name that exists with another type', async () => {
    const namespace = await freshNamespace();
    await ensureSearchAttributes(connection, namespace, { FlockName: 'Keyword' });

    await expect(ensureSearchAttributes(connection, namespace, { FlockName: 'Int' })).rejects.toMatchObject({
      name: 'SearchAttributeRegistrationError',
      code: 'SEARCH_ATTRIBUTE_TYPE_CONFLICT',
    });
  });
});
