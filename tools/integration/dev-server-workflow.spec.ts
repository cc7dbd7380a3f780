import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../src/lib/flock-search-attributes';
import { testTemporalEnv, uniqueName } from '../src/lib/test-temporal-env';
import { createActivities } from './fixtures/activities';
import { greetWorkflow } from './fixtures/workflows';

describe('the shared dev server from the Jest global setup', () => {
  const { address, namespace } = testTemporalEnv();
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    nativeConnection = await NativeConnection.connect({ address });
  });

  afterAll(async () => {
    await nativeConnection?.close();
    await connection?.close();
  });

  it('runs a workflow and its activity on an in-process worker and returns the result', async () => {
    const taskQueue = uniqueName('tools-dev');
    const workflowId = uniqueName('greet');
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/workflows'),
      activities: createActivities(),
    });

    const result = await worker.runUntil(client.workflow.execute(greetWorkflow, { taskQueue, workflowId, args: ['Flock'] }));

    expect(result).toBe('Hello, Flock!');
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const eventTypes = (history.events ?? []).map((event) => event.eventType);
    // 12 = EVENT_TYPE_ACTIVITY_TASK_COMPLETED: the server recorded the activity.
    expect(eventTypes).toContain(12);
  });

  it('has the Flock search attributes registered on its namespace', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(FLOCK_DEV_SEARCH_ATTRIBUTES)));
  });
});
