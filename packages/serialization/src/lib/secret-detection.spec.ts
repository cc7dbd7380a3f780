import { isSecretKey, looksLikeSecret } from './secret-detection';
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
