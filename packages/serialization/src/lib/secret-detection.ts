/**
 * Normalized key endings that name a secret. Matching the ending catches
 * `openaiApiKey`, `GITHUB_TOKEN`, `x-api-key`, `clientSecret`, `dbPassword`;
 * plural `tokens` is left out on purpose so `maxTokens` stays visible.
 */
const SECRET_KEY_ENDINGS = [
  'apikey',
  'apikeys',
  'token',
  'secret',
  'secrets',
  'secretkey',
  'accesskey',
  'password',
  'passwd',
  'passphrase',
  'credential',
  'credentials',
  'authorization',
  'privatekey',
  'clientkey',
  'signingkey',
  'encryptionkey',
  'cookie',
  'cookies',
] as const;

/**
 * True when a property name says its value is a secret: it ends (case- and
 * separator-insensitively) with apiKey, token, secret, password, passwd,
 * passphrase, credential(s), authorization, privateKey, clientKey,
 * secretKey, accessKey, signingKey, encryptionKey or cookie.
 * Names that merely point at a secret (`apiKeyEnv`, `clientKeyPath`) are not secrets.
 *
 * @example
 * isSecretKey('api_key'); // true
 * isSecretKey('Proxy-Authorization'); // true
 * isSecretKey('maxTokens'); // false
 * isSecretKey('clientKeyPath'); // false
 */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
}

/** Credential formats, searched anywhere in a string. Each is linear-time (no nested quantifiers). */
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/, // OpenAI, Anthropic (sk-ant-...), DeepSeek, ...
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/, // Stripe secret and restricted keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/, // GitHub fine-grained tokens
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}/, // Google API keys
  /\bhf_[A-Za-z0-9]{30,}/, // Hugging Face
  /\bnpm_[A-Za-z0-9]{36}/, // npm
  /\bbearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{12,}/i, // "Bearer <token>" (a digit keeps prose out)
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, ...)
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, // JWTs (signed or not)
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:[^\s/?#@]+@/i, // user:password@ in a URL
];

/** `?name=value` and `&name=value` pairs, as in URLs and form bodies. */
const QUERY_PAIR = /[?&#]([^=&#\s]+)=([^&#\s]*)/g;

/**
 * True when a string contains something shaped like a credential: provider
 * keys (`sk-...`, `ghp_...`, `xoxb-...`, `AKIA...`, `AIza...`, `hf_...`),
 * `Bearer <token>`, a PEM private key, a JWT, a URL with a password, or a
 * query parameter named like a secret (`?api_key=...`).
 *
 * @example
 * looksLikeSecret('sk-proj-0123456789abcdefABCDEF'); // true
 * looksLikeSecret('https://svc/?access_token=abc123'); // true
 * looksLikeSecret('Summarize the task in one sentence'); // false
 */
export function looksLikeSecret(value: string): boolean {
  if (SECRET_VALUE_PATTERNS.some((pattern) => pattern.test(value))) return true;
  for (const [, name, pairValue] of value.matchAll(QUERY_PAIR)) {
    if (pairValue && isSecretKey(safeDecode(name))) return true;
  }
  return false;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Replaces each credential inside a text with `[redacted]`, keeping the rest
 * readable: for error messages and stack traces, which must say what went
 * wrong without carrying the key a provider echoed back. Finds what
 * {@link looksLikeSecret} finds; a secret-named query parameter keeps its name.
 *
 * @example
 * redactSecretsInText('401 from https://api/?api_key=abc123 for sk-proj-0123456789abcdefABCDEF');
 * // => '401 from https://api/?api_key=[redacted] for [redacted]'
 */
export function redactSecretsInText(text: string): string {
  // a PEM block goes whole: its body is the secret, the BEGIN line only shows where it starts
  let result = text.replace(/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g, '[redacted]');
  for (const pattern of SECRET_VALUE_PATTERNS) {
    result = result.replace(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`), (match) =>
      // keep the scheme of a URL with a password, so the text still says where it pointed
      /^[a-z][a-z0-9+.-]*:\/\//i.test(match) ? `${match.slice(0, match.indexOf('://') + 3)}[redacted]@` : '[redacted]',
    );
  }
  return result.replace(QUERY_PAIR, (pair, name: string, value: string) =>
    value && isSecretKey(safeDecode(name)) ? `${pair.slice(0, pair.length - value.length)}[redacted]` : pair,
  );
}
