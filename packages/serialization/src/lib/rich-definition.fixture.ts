import { parseFlockDefinition, type FlockDefinition } from '@flock-ts/config';

/** A definition that sets every field, with rich values inside `settings` and `metadata`. */
export function richDefinition(): FlockDefinition {
  return parseFlockDefinition({
    name: 'research-flock',
    description: 'Researches and writes',
    model: 'openai:gpt-4o-mini',
    agents: [
      {
        name: 'researcher',
        description: 'Finds sources',
        input: 'topic: string, depth?: int',
        output: { jsonSchema: { type: 'object', properties: { sources: { type: 'array' } } } },
        evaluator: { kind: 'model', model: 'openai:gpt-4o', instructions: 'Be thorough.', temperature: 0.2, maxToolCalls: 5 },
        tools: ['web_search', 'fetch'],
        components: ['tracing'],
        next: { kind: 'static', agent: 'writer' },
        temporalActivityConfig: {
          startToCloseTimeoutSeconds: 120,
          scheduleToStartTimeoutSeconds: 30,
          scheduleToCloseTimeoutSeconds: 600,
          heartbeatTimeoutSeconds: 10,
          retryMaxAttempts: 4,
          retryInitialIntervalSeconds: 2,
          retryBackoffCoefficient: 3,
          retryMaximumIntervalSeconds: 90,
          nonRetryableErrorTypes: ['BadInput'],
          taskQueue: 'research',
        },
        settings: {
          createdAt: new Date('2024-01-02T03:04:05.006Z'),
          weights: new Map<string, number>([
            ['recent', 0.7],
            ['cited', 0.3],
          ]),
          domains: new Set(['arxiv.org', 'acm.org']),
          budgetMicros: 12_345_678_901_234_567_890n,
          unset: undefined,
          filter: /\.pdf$/i,
          home: new URL('https://example.org/research'),
          nested: { deeper: [new Date(0), { n: 1 }] },
        },
      },
      { name: 'writer', input: 'sources: list[str]', output: 'article: str', evaluator: { kind: 'code' }, next: { kind: 'router', router: 'editor_router' } },
      { name: 'editor', input: 'article: str', output: 'verdict: str', next: { kind: 'code' } },
    ],
    maxIterations: 7,
    enableTemporal: true,
    temporalConfig: {
      serverUrl: 'temporal:7233',
      namespace: 'flock',
      taskQueue: 'flock-agents',
      workflowExecutionTimeout: '1h',
      workflowRunTimeout: 600_000,
      workflowTaskTimeout: '10s',
      activityDefaults: { startToCloseTimeoutSeconds: 60, retryMaxAttempts: 2 },
      workflowVersion: 3,
      tls: { serverNameOverride: 'temporal.internal', serverRootCaCertPath: '/certs/ca.pem', clientCertPath: '/certs/c.pem', clientKeyPath: '/certs/c.key' },
    },
    temporalStartInProcessWorker: true,
    metadata: {
      owner: 'research-team',
      releasedAt: new Date('2024-02-03T00:00:00.000Z'),
      index: new Map<string, Set<number>>([['v1', new Set([1, 2])]]),
    },
  });
}
