import { testTemporalEnv, uniqueName } from './test-temporal-env';

describe('testTemporalEnv', () => {
  it('reads the shared server from the FLOCK_TEST_TEMPORAL_* variables', () => {
    expect(
      testTemporalEnv({
        FLOCK_TEST_TEMPORAL_ADDRESS: '127.0.0.1:7233',
        FLOCK_TEST_TEMPORAL_NAMESPACE: 'flock-test',
        FLOCK_TEST_TEMPORAL_UI: 'http://127.0.0.1:8233',
        FLOCK_TEST_TEMPORAL_CLI: '/opt/temporal',
        FLOCK_TEST_TEMPORAL_TOPOLOGY: 'production',
      }),
    ).toEqual({ address: '127.0.0.1:7233', namespace: 'flock-test', uiUrl: 'http://127.0.0.1:8233', cliPath: '/opt/temporal', topology: 'production' });
  });

  it('defaults the namespace to default and leaves UI and CLI unknown', () => {
    expect(testTemporalEnv({ FLOCK_TEST_TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual({
      address: 'temporal:7233',
      namespace: 'default',
      uiUrl: undefined,
      cliPath: undefined,
      topology: 'dev',
    });
  });

  it('refuses a topology it does not know, naming the values it takes', () => {
    expect(() => testTemporalEnv({ FLOCK_TEST_TEMPORAL_ADDRESS: 'temporal:7233', FLOCK_TEST_TEMPORAL_TOPOLOGY: 'prod' })).toThrow(
      'FLOCK_TEST_TEMPORAL_TOPOLOGY=prod: expected "dev" or "production"',
    );
  });

  it('explains how to add the global setup when no server is provided', () => {
    expect(() => testTemporalEnv({})).toThrow(expect.objectContaining({ code: 'TEST_TEMPORAL_ENV_MISSING', message: expect.stringContaining('globalSetup') }));
  });
});

describe('uniqueName', () => {
  it('keeps the prefix and never repeats', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('queue')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name.startsWith('queue-')).toBe(true);
  });
});
