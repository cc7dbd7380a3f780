import { isSecretKey, isSecretQueryParam, looksLikeSecret, redactSecretsInText } from './secret-detection';
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

  it.each(['maxTokens', 'totalTokens', 'tokenizer', 'clientKeyPath', 'apiKeyEnv', 'name', 'model', 'keyName', 'secretName', 'description'])('keeps %s', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
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
    expect(redactSecretsInText(`${FAKE.openai} and ${FAKE.openai}; Authorization: Bearer abc.def.1234567890xyz`)).toBe('[redacted] and [redacted]; Authorization: [redacted]');
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecretsInText('Tool "boom" called by agent "a" failed: tool exploded')).toBe('Tool "boom" called by agent "a" failed: tool exploded');
  });
});

// Formats an adversarial probe found reaching the memo, history and logs (issue 12).
const join = (...parts: string[]) => parts.join('');
const PROBE = {
  adoNet: join('Server=tcp:db.example.net,1433;Database=app;User Id=app;', 'Pass', 'word=hunter2;Encrypt=True;'),
  apim: join('Ocp-Apim-Subscription-Key: ', '0123456789abcdef', '0123456789abcdef'),
  azureSas: join('https://acct.blob.core.windows.net/c/report.pdf?sv=2022-11-02&ss=b&sp=r&se=2030-01-01T00:00:00Z&', 'sig=', 'q0X%2Bk9LmN3pRtYv5Wz%3D'),
  awsPresigned: join(
    'https://bucket.s3.amazonaws.com/o.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&',
    'X-Amz-Signature=',
    '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  ),
  basic: join('Authorization: Basic ', 'dXNlcjpodW50ZXIy'),
  hexApiKey: join('x-api-key: ', '5f4dcc3b5aa765d61d8327deb882cf99'),
  pwd: join('Driver={ODBC};Uid=app;', 'Pwd=', 's3cret!;'),
  nestedJson: join('{"auth":{"user":"app","', 'pass', '":"hunter2"}}'),
};

describe('isSecretKey (connection strings, headers, nested auth)', () => {
  it.each(['pwd', 'DB_PWD', 'pass', 'db_pass', 'dbPass', 'auth.pass', 'Ocp-Apim-Subscription-Key', 'subscriptionKey', 'AccountKey', 'SharedAccessKey', 'SharedAccessSignature'])(
    'treats %s as a secret key',
    (key) => expect(isSecretKey(key)).toBe(true),
  );

  it.each(['bypass', 'compass', 'passes', 'passthrough', 'signature', 'sig', 'keyword', 'passage'])('keeps %s', (key) => expect(isSecretKey(key)).toBe(false));

  it('treats signed-URL parameters as secret query parameters only', () => {
    for (const name of ['sig', 'signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Goog-Signature', 'api_key']) expect(isSecretQueryParam(name)).toBe(true);
    for (const name of ['sv', 'se', 'X-Amz-Algorithm', 'X-Amz-Expires', 'page']) expect(isSecretQueryParam(name)).toBe(false);
  });
});

describe('the probe formats', () => {
  it.each([
    ['an ADO.NET connection string', PROBE.adoNet, 'Server=tcp:db.example.net,1433;Database=app;User Id=app;Password=[redacted];Encrypt=True;'],
    ['an API Management subscription key header', PROBE.apim, 'Ocp-Apim-Subscription-Key: [redacted]'],
    ['an Azure SAS URL', PROBE.azureSas, 'https://acct.blob.core.windows.net/c/report.pdf?sv=2022-11-02&ss=b&sp=r&se=2030-01-01T00:00:00Z&sig=[redacted]'],
    ['an AWS presigned URL', PROBE.awsPresigned, 'https://bucket.s3.amazonaws.com/o.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=[redacted]'],
    ['a Basic authorization header', PROBE.basic, 'Authorization: [redacted]'],
    ['a 32-hex x-api-key header', PROBE.hexApiKey, 'x-api-key: [redacted]'],
    ['an ODBC Pwd', PROBE.pwd, 'Driver={ODBC};Uid=app;Pwd=[redacted];'],
    ['a nested JSON auth.pass', PROBE.nestedJson, '{"auth":{"user":"app","pass":"[redacted]"}}'],
  ])('detects and cuts out %s', (_what, text, redacted) => {
    expect(looksLikeSecret(text)).toBe(true);
    expect(redactSecretsInText(text)).toBe(redacted);
    expect(looksLikeSecret(redactSecretsInText(text))).toBe(false);
  });

  it('cuts them out of a tool error, keeping what went wrong', () => {
    const message = `Tool "db" called by agent "a" failed: login failed for ${PROBE.adoNet} with ${PROBE.basic}`;
    const redacted = redactSecretsInText(message);
    expect(redacted).toBe(
      'Tool "db" called by agent "a" failed: login failed for Server=tcp:db.example.net,1433;Database=app;User Id=app;Password=[redacted];Encrypt=True; with Authorization: [redacted]',
    );
    expect(redacted).not.toContain('hunter2');
    expect(redacted).not.toContain('dXNlcjpodW50ZXIy');
  });

  it('finds a credential inside a quoted value of a harmless key', () => {
    expect(redactSecretsInText('{"message":"Password=hunter2;"}')).toBe('{"message":"Password=[redacted];"}');
  });

  it('cuts the credential after other authorization schemes and bare key words', () => {
    expect(redactSecretsInText('Authorization: Token 1234567890abcdef')).toBe('Authorization: Token [redacted]');
    expect(redactSecretsInText('rejected api key 5f4dcc3b5aa765d61d8327deb882cf99 (expired)')).toBe('rejected api key [redacted] (expired)');
    expect(redactSecretsInText('"apiKey": "short"')).toBe('"apiKey": "[redacted]"');
  });
});

describe('names and prose are not secrets', () => {
  it.each([
    'sk-customer-support-bot',
    'sk-summarizer-agent-01',
    'sk-customersupportbot2024',
    'sk-customer-support-bot-4a5b6c7d-1234-4e5f-8a9b-0123456789ab', // a workflow id: <flock name>-<uuid>
    'password: string, token: string',
    'Basic authentication is used here',
    'Authorization header missing',
    'token: expired',
    'anthropic:claude-3-5-sonnet-20241022',
    'Server=db;Database=app;Trusted_Connection=True;',
    'https://example.com/search?q=signature&page=2',
    'git commit 5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b',
    'Use the bypass lane',
  ])('keeps %j', (value) => {
    expect(looksLikeSecret(value)).toBe(false);
    expect(redactSecretsInText(value)).toBe(value);
  });
});

describe('on long texts', () => {
  // a quadratic pattern made these take minutes (the default test timeout fails them); linear, they take milliseconds
  it.each([
    ['2 MB of one letter', 'y'.repeat(2_100_000)],
    ['a long run of letters and dots', 'a.b-c_'.repeat(200_000)],
    ['a long URL-ish run', `http${'s'.repeat(300_000)}://host`],
  ])('scans %s without backtracking', (_name, text) => {
    expect(redactSecretsInText(text)).toBe(text);
    expect(looksLikeSecret(text)).toBe(false);
  });
});
