import type { FlockConfigError } from '@flock-ts/config';

import type { SerializationError } from './errors';
import { deserializeFlockDefinition, serializeFlockDefinition, toStorableDefinition } from './definition';
import { REDACTED } from './strip-secrets';
import { richDefinition } from './rich-definition.fixture';
import { FAKE, fakePem } from '@flock-ts/secrets/testing';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('serializeFlockDefinition / deserializeFlockDefinition', () => {
  it('round-trips every field of a rich definition losslessly', () => {
    const def = richDefinition();
    const back = deserializeFlockDefinition(serializeFlockDefinition(def));
    expect(back).toEqual(def);
    const settings = back.agents[0].settings;
    expect(settings['createdAt']).toEqual(new Date('2024-01-02T03:04:05.006Z'));
    expect(settings['weights']).toBeInstanceOf(Map);
    expect(settings['domains']).toBeInstanceOf(Set);
    expect(settings['budgetMicros']).toBe(12_345_678_901_234_567_890n);
    expect(Object.keys(settings)).toContain('unset');
    expect(settings['filter']).toEqual(/\.pdf$/i);
    expect(settings['home']).toBeInstanceOf(URL);
    expect(back.metadata['releasedAt']).toBeInstanceOf(Date);
    expect((back.metadata['index'] as Map<string, Set<number>>).get('v1')).toEqual(new Set([1, 2]));
    expect(back.temporalConfig.tls).toEqual(def.temporalConfig.tls);
  });

  it('is stable: serializing the read-back definition gives the same text', () => {
    const text = serializeFlockDefinition(richDefinition());
    expect(serializeFlockDefinition(deserializeFlockDefinition(text))).toBe(text);
  });

  it('applies defaults to a minimal input', () => {
    const back = deserializeFlockDefinition(serializeFlockDefinition({ name: 'tiny' }));
    expect(back).toMatchObject({ name: 'tiny', agents: [], maxIterations: 20, enableTemporal: false, temporalConfig: {} });
  });

  it('rejects a function anywhere with SerializationError NOT_SERIALIZABLE naming its path', () => {
    const def = richDefinition();
    (def.agents[1].settings as Record<string, unknown>)['evaluate'] = () => 'code';
    const error = thrown(() => serializeFlockDefinition(def)) as SerializationError;
    expect(error.name).toBe('SerializationError');
    expect(error.code).toBe('NOT_SERIALIZABLE');
    expect(error.path).toBe('agents[1].settings.evaluate');
    expect(error.message).toContain('agents[1].settings.evaluate: a function');
  });

  it('rejects a function hidden in a metadata Map', () => {
    const def = richDefinition();
    def.metadata['hooks'] = new Map([['onStart', () => undefined]]);
    expect((thrown(() => serializeFlockDefinition(def)) as SerializationError).path).toBe('metadata.hooks.get("onStart")');
  });

  it('reports a corrupted snapshot as a FlockConfigError naming each path', () => {
    const envelope = JSON.parse(serializeFlockDefinition(richDefinition()));
    envelope.json.agents[0].temporalActivityConfig.retryMaxAttempts = 0;
    envelope.json.agents[0].next.agent = 'ghost';
    const error = thrown(() => deserializeFlockDefinition(JSON.stringify(envelope))) as FlockConfigError;
    expect(error.name).toBe('FlockConfigError');
    expect(error.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['agents[0].temporalActivityConfig.retryMaxAttempts', 'agents[0].next.agent']));
  });

  it('reports truncated text as a SerializationError INVALID_JSON', () => {
    const text = serializeFlockDefinition(richDefinition());
    expect(thrown(() => deserializeFlockDefinition(text.slice(0, 50)))).toMatchObject({ name: 'SerializationError', code: 'INVALID_JSON' });
  });

  it('accepts a hand-written plain JSON definition', () => {
    expect(deserializeFlockDefinition('{"name":"plain","agents":[{"name":"a","input":"x: str","output":"y: str"}]}').agents[0].name).toBe('a');
  });
});

describe('secrets in serialized definitions', () => {
  const secrets = {
    temporalApiKey: 'tmprl-api-key-value-0001',
    settingsApiKey: 'plain-settings-key-0002',
    nestedToken: 'nested-token-value-0003',
    openai: FAKE.openai,
    github: FAKE.github,
    slack: FAKE.slackBot,
    aws: FAKE.aws,
    jwt: FAKE.jwt,
    pemBody: FAKE.pemBody,
    dbPassword: 's3cr3t-db-pass-0004',
    mapPassword: 'map-password-value-0005',
    bearer: '9f8e7d6c5b4a3210fedcba',
  };

  function definitionWithSecrets() {
    const def = richDefinition();
    def.temporalConfig.apiKey = secrets.temporalApiKey;
    def.agents[0].settings['apiKey'] = secrets.settingsApiKey;
    def.agents[0].settings['openai'] = { organization: 'org', access_token: secrets.nestedToken };
    def.agents[0].settings['headers'] = { Authorization: `Bearer ${secrets.bearer}` };
    def.agents[0].settings['database'] = new URL(`postgres://flock:${secrets.dbPassword}@db:5432/flock`);
    def.agents[1].settings['keys'] = [secrets.jwt, new Set([secrets.github])];
    def.agents[2].settings['tls'] = { privateKey: fakePem() };
    def.agents[2].settings['bundle'] = { pem: fakePem('EC') };
    def.agents[2].settings['example'] = `curl -H "Authorization: Bearer ${secrets.bearer}" https://api.example.com`;
    def.agents[2].settings['notes'] = `ping slack with ${secrets.slack}, aws ${secrets.aws}`;
    def.metadata['vault'] = new Map([['password', secrets.mapPassword]]);
    (def.agents[0].evaluator as { instructions?: string }).instructions = `Use ${secrets.openai} for calls.`;
    return def;
  }

  it('leaves no secret string anywhere in the output', () => {
    const text = serializeFlockDefinition(definitionWithSecrets());
    for (const [what, secret] of Object.entries(secrets)) {
      expect({ what, found: text.includes(secret) }).toEqual({ what, found: false });
    }
    expect(text).toContain(REDACTED);
  });

  it('drops secret keys, so the read-back definition stays valid and falls back to the environment', () => {
    const back = deserializeFlockDefinition(serializeFlockDefinition(definitionWithSecrets()));
    expect(back.temporalConfig.apiKey).toBeUndefined();
    expect(back.temporalConfig.serverUrl).toBe('temporal:7233');
    expect(back.agents[0].settings['apiKey']).toBeUndefined();
    expect(back.agents[0].settings['openai']).toEqual({ organization: 'org' });
    expect((back.agents[0].settings['database'] as URL).href).toBe('postgres://db:5432/flock');
    expect(back.agents[1].settings['keys']).toEqual([REDACTED, new Set([REDACTED])]);
    expect(back.metadata['vault']).toEqual(new Map());
  });

  it('does not change the definition it was given', () => {
    const def = definitionWithSecrets();
    toStorableDefinition(def);
    expect(def.temporalConfig.apiKey).toBe(secrets.temporalApiKey);
    expect(def.agents[0].settings['apiKey']).toBe(secrets.settingsApiKey);
  });
});
