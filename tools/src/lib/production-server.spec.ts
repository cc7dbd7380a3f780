import { databaseNames, summarizeServerOutput } from './production-server';

describe('summarizeServerOutput', () => {
  it("keeps level, message and error of the server's last JSON log lines, without stack traces", () => {
    const lines = [
      JSON.stringify({ level: 'info', msg: 'starting', stacktrace: 'long...' }),
      'Unable to start server. Error: failed to start service worker: context deadline exceeded',
      JSON.stringify({ level: 'fatal', msg: 'unable to initialize membership heartbeats', error: 'value "42503" is out of range for type smallint', stacktrace: 'x\ny' }),
    ];
    expect(summarizeServerOutput(lines.join('\n'), 2)).toBe(
      'Unable to start server. Error: failed to start service worker: context deadline exceeded\nfatal: unable to initialize membership heartbeats: value "42503" is out of range for type smallint',
    );
  });
});

describe('databaseNames', () => {
  it('puts visibility records next to the data, under the same prefix', () => {
    expect(databaseNames()).toEqual({ temporal: 'temporal', visibility: 'temporal_visibility' });
    expect(databaseNames('restart_it')).toEqual({ temporal: 'restart_it', visibility: 'restart_it_visibility' });
  });
});
