import { isSecretKey, looksLikeSecret, redactSecretsInText } from './secret-detection';
import { FAKE, fakePem } from './fake-secrets.fixture';

describe('isSecretKey', () => {
  it.each([
    'apiKey',
    'api_key',
    'API-KEY',
    'openaiApiKey',
    'x-api-key',
    'token',
    'accessToken',
    'refresh_token',
    'GITHUB_TOKEN',
    'secret',
    'clientSecret',
    'password',
    'dbPassword',
    'passwd',
    'credentials',
    'Authorization',
    'Proxy-Authorization',
    'privateKey',
    'private_key',
    'clientKey',
    'cookie',
    'Set-Cookie',
    'AWS_SECRET_ACCESS_KEY',
  ])('treats %s as a secret key', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['maxTokens', 'totalTokens', 'tokenizer', 'clientKeyPath', 'apiKeyEnv', 'name', 'model', 'keyName', 'secretName', 'description'])(
    'keeps %s',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe('looksLikeSecret', () => {
  const pem = fakePem('RSA');

  it.each([
    ['an OpenAI key', FAKE.openai],
    ['an Anthropic key', FAKE.anthropic],
    ['a GitHub token', FAKE.github],
    ['a GitHub fine-grained token', FAKE.githubFineGrained],
    ['a Slack bot token', FAKE.slackBot],
    ['a Slack user token', FAKE.slackUser],
    ['an AWS access key id', FAKE.aws],
    ['a Google API key', FAKE.google],
    ['a Stripe key', FAKE.stripe],
    ['a bearer header', 'Bearer 9f8e7d6c5b4a3210fedcba'],
    ['a PEM private key', pem],
    ['a JWT', FAKE.jwt],
    ['a URL with a password', 'postgres://flock:s3cr3t@db:5432/flock'],
    ['a URL with an api_key parameter', 'https://api.example.com/v1?model=x&api_key=abc123'],
    ['a secret inside prose', `Call the API with key ${FAKE.openai} please`],
  ])('detects %s', (_what, value) => {
    expect(looksLikeSecret(value)).toBe(true);
  });

  it.each([
    'Summarize the task in one sentence',
    'task-0123456789abcdefghij',
    'Bearer tokens are sent in the Authorization header',
    'https://api.example.com/v1?model=gpt&maxTokens=200',
    'openai:gpt-4o-mini',
    'query: string, answer: string',
    '-----BEGIN CERTIFICATE-----',
    'temporal:7233',
  ])('keeps %j', (value) => {
    expect(looksLikeSecret(value)).toBe(false);
  });
});

describe('redactSecretsInText', () => {
  it.each(Object.entries(FAKE).filter(([kind]) => kind !== 'pemBody'))('cuts a %s credential out of a message, keeping the rest', (_kind, secret) => {
    const text = `provider said 401: bad key ${secret} (retry later)`;
    const redacted = redactSecretsInText(text);
    expect(redacted).toBe('provider said 401: bad key [redacted] (retry later)');
    expect(looksLikeSecret(redacted)).toBe(false);
  });

  it('removes a whole PEM block, body included', () => {
    const redacted = redactSecretsInText(`could not parse\n${fakePem('RSA')}\nend of input`);
    expect(redacted).toBe('could not parse\n[redacted]\nend of input');
    expect(redacted).not.toContain(FAKE.pemBody);
  });

  it('keeps the scheme of a URL with a password and the name of a secret query parameter', () => {
    expect(redactSecretsInText('cannot reach postgres://app:hunter2@db:5432/x')).toBe('cannot reach postgres://[redacted]@db:5432/x');
    expect(redactSecretsInText('GET https://svc/v1?api_key=abc123&page=2 failed')).toBe('GET https://svc/v1?api_key=[redacted]&page=2 failed');
  });

  it('redacts every occurrence, and Bearer tokens', () => {
    expect(redactSecretsInText(`${FAKE.openai} and ${FAKE.openai}; Authorization: Bearer abc.def.1234567890xyz`)).toBe(
      '[redacted] and [redacted]; Authorization: [redacted]',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecretsInText('Tool "boom" called by agent "a" failed: tool exploded')).toBe('Tool "boom" called by agent "a" failed: tool exploded');
  });
});
