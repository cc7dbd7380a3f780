// What an executor adds to results types them: a Temporal-like executor's
// `temporal` needs no cast, an in-process flock's results have none.
import { Flock, defineAgent, type FlockExecutor } from '../src/index';
import { expectTrue, type Equal } from './expect';

interface WhereItRuns {
  workflowId: string;
  webUiUrl?: string;
}
declare const onTemporal: FlockExecutor<{ temporal: WhereItRuns }>;

const echo = defineAgent({ name: 'echo', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) });

export async function durableRun(): Promise<string> {
  const flock = new Flock({ name: 'durable', agents: [echo], executor: onTemporal });
  const result = await flock.run({ startAgent: 'echo', input: { text: 'hi' } });
  expectTrue<Equal<typeof result.temporal, WhereItRuns>>();
  const handle = await flock.start({ startAgent: 'echo', input: { text: 'hi' } });
  const later = await handle.result();
  return `${later.output.text} ${result.temporal.workflowId}`;
}

export async function localRun(): Promise<string> {
  const flock = new Flock({ name: 'here', agents: [echo] });
  const result = await flock.run({ startAgent: 'echo', input: { text: 'hi' } });
  // @ts-expect-error -- Property 'temporal' does not exist
  return result.temporal.workflowId;
}
