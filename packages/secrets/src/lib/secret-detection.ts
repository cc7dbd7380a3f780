// Secret detection for memos, workflow input, failure messages, logs and spans.
//
// A compact pattern table after the well-known rule sets (gitleaks, secretlint,
// detect-secrets): provider key prefixes, JWTs, PEM keys, `Basic`/`Bearer`
// credentials, `key=value` / `key: value` pairs whose key names a secret
// (connection strings' `Password=...;`, headers' `x-api-key: ...`), signed-URL
// parameters (Azure SAS `sig=`, `X-Amz-Signature=`) and URLs with a password.
// Plain code: it runs inside Temporal's workflow sandbox (no Node built-ins).
//
// Identifiers are not secrets: flock, agent and tool names (`sk-customer-support-bot`,
// `sk-summarizer-agent-01`) are never flagged; a provider prefix only counts
// when a random-looking run of characters follows it. Values registered with
// `registerSecretValues` (the API keys a process holds) count whatever their shape.

import { registeredSecretValues } from './secret-values';

/**
 * Normalized key endings that name a secret. Matching the ending catches
 * `openaiApiKey`, `GITHUB_TOKEN`, `x-api-key`, `clientSecret`, `dbPassword`,
 * `ocp-apim-subscription-key`, `DB_PWD`; plural `tokens` is left out on purpose
 * so `maxTokens` stays visible.
 */
const SECRET_KEY_ENDINGS = [
  'apikey',
  'apikeys',
  'token',
  'secret',
  'secrets',
  'secretkey',
  'accesskey',
  'accountkey',
  'subscriptionkey',
  'masterkey',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'credential',
  'credentials',
  'authorization',
  'privatekey',
  'clientkey',
  'signingkey',
  'encryptionkey',
  'sharedaccesssignature',
  'cookie',
  'cookies',
] as const;

/** Last words that name a secret only as a whole word: `pass`, `db_pass`, `auth.pass` (not `bypass`, `compass`). */
const SECRET_LAST_WORDS = new Set(['pass']);

/** Query parameters that carry a signature or credential in signed URLs (Azure SAS, AWS SigV4, GCS). */
const SECRET_QUERY_WORDS = new Set(['sig', 'signature', 'xamzsignature', 'xamzcredential', 'xgoogsignature', 'xgoogcredential']);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function lastWord(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words[words.length - 1] ?? '';
}

/**
 * True when a property name says its value is a secret: it ends (case- and
 * separator-insensitively) with apiKey, token, secret, password, passwd, pwd,
 * passphrase, credential(s), authorization, privateKey, clientKey, secretKey,
 * accessKey, accountKey, subscriptionKey, masterKey, signingKey,
 * encryptionKey, sharedAccessSignature or cookie, or its last word is `pass`.
 * Names that merely point at a secret (`apiKeyEnv`, `clientKeyPath`) are not
 * secrets, nor is `signature` (agents have input/output signatures): `sig`
 * and `signature` count only as URL query parameters ({@link isSecretQueryParam}).
 *
 * @example
 * isSecretKey('api_key'); // true
 * isSecretKey('Ocp-Apim-Subscription-Key'); // true
 * isSecretKey('pass'); // true
 * isSecretKey('maxTokens'); // false
 * isSecretKey('bypass'); // false
 */
export function isSecretKey(key: string): boolean {
  const normalized = normalizeKey(key);
  if (normalized === '') return false;
  return SECRET_KEY_ENDINGS.some((ending) => normalized.endsWith(ending)) || SECRET_LAST_WORDS.has(lastWord(key));
}

/**
 * True when a URL query (or fragment, or form body) parameter carries a
 * secret: a secret key ({@link isSecretKey}) or a signed URL's signature or
 * credential (`sig`, `signature`, `X-Amz-Signature`, `X-Amz-Credential`,
 * `X-Goog-Signature`).
 *
 * @example
 * isSecretQueryParam('sig'); // true
 * isSecretQueryParam('X-Amz-Signature'); // true
 * isSecretQueryParam('page'); // false
 */
export function isSecretQueryParam(name: string): boolean {
  return isSecretKey(name) || SECRET_QUERY_WORDS.has(normalizeKey(name));
}

/** A place in a text that holds a credential. */
interface Span {
  start: number;
  end: number;
  /** What replaces it (default `[redacted]`). */
  replacement?: string;
}

/** One rule of the table: `find` lists the credentials it sees in a text. */
interface SecretRule {
  name: string;
  find: (text: string) => Span[];
}

const MARKER = '[redacted]';

/** Whole matches of `pattern` that `accept` agrees with. Every pattern is linear or nearly so (no nested quantifiers over the same characters). */
function matches(name: string, pattern: RegExp, accept: (match: RegExpExecArray) => boolean = () => true): SecretRule {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return {
    name,
    find: (text) => {
      const spans: Span[] = [];
      global.lastIndex = 0;
      for (let match = global.exec(text); match; match = global.exec(text)) {
        if (match[0] === '') {
          global.lastIndex++;
          continue;
        }
        if (accept(match)) spans.push({ start: match.index, end: match.index + match[0].length });
      }
      return spans;
    },
  };
}

/**
 * A random-looking run of letters and digits: a digit, and mixed case, or 32+
 * characters (hex keys), or 20+ with an uppercase letter, or 16+ with a
 * quarter of digits (lowercase base-36 keys). Words, names and
 * `customersupportbot2024` are not.
 */
function looksRandom(run: string): boolean {
  if (!/\d/.test(run)) return false;
  const upper = /[A-Z]/.test(run);
  const lower = /[a-z]/.test(run);
  const digits = run.replace(/\D/g, '').length;
  // random base-36 has a digit in about every fourth place; `customersupportbot2024` does not
  return (upper && lower) || run.length >= 32 || (upper && run.length >= 20) || (run.length >= 16 && digits * 4 >= run.length && (upper || lower));
}

/** The longest run of letters and digits in a text. */
function longestRun(text: string): string {
  return (text.match(/[A-Za-z0-9]+/g) ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
}

/** Looks like an encoded credential (base64, base64url, hex) rather than a word: a digit, `+/=`, or a capital inside. */
function looksEncoded(value: string): boolean {
  return /\d/.test(value) || /[+/=]/.test(value) || /[a-z][A-Z]/.test(value);
}

/**
 * After an unquoted `key:` (a header, YAML, prose), a value counts when it
 * looks like a credential rather than a type or a word (`password: string`,
 * `token: expired`): 6+ characters with a digit or symbol, or 16+ characters.
 */
function looksLikeColonValue(value: string): boolean {
  if (/^(?:string|number|boolean|integer|object|array|null|true|false|undefined|required|optional|none|empty|missing|invalid|expired)$/i.test(value)) return false;
  return (value.length >= 6 && /[\d!@#$%^*+/=~]/.test(value)) || value.length >= 16;
}

/** Authorization schemes: after `Authorization:` the credential is the next word. */
const AUTH_SCHEME = /^(?:basic|bearer|digest|token|negotiate|ntlm|apikey|sharedaccesssignature|sharedkey|aws4-hmac-sha256)$/i;

// (prefix: optional quote, key, same quote, `=` or `:`), then a quoted or bare value
// (a key starts only where a word starts and is at most 128 characters: linear on any text, a megabyte of letters included)
const KEY_VALUE = /((["']?)(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{0,127})\2[ \t]*([:=])[ \t]*)(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"',;&<>(){}[\]]+))/g;
const AFTER_SCHEME = /^[ \t]+([^\s"',;]+)/;

/**
 * `key=value`, `key: value`, `"key": "value"` where the key names a secret
 * (`Password=...;`, `x-api-key: ...`, `"apiKey": "..."`); only the value is
 * cut out. After `Authorization: <scheme>` the credential that follows is.
 */
const keyValueRule: SecretRule = {
  name: 'secret key = value',
  find: (text) => {
    const spans: Span[] = [];
    KEY_VALUE.lastIndex = 0;
    for (let match = KEY_VALUE.exec(text); match; match = KEY_VALUE.exec(text)) {
      const [whole, prefix, quote, key, separator] = match;
      const quoted = match[5] ?? match[6];
      const value = quoted ?? match[7] ?? '';
      const valueStart = match.index + prefix.length + (quoted !== undefined ? 1 : 0);
      const valueEnd = valueStart + value.length;
      let accepted = false;
      if (value && value !== MARKER && isSecretKey(key)) {
        if (/authorization$/i.test(key) && AUTH_SCHEME.test(value)) {
          const credential = AFTER_SCHEME.exec(text.slice(match.index + whole.length));
          if (credential && credential[1] !== MARKER) {
            const end = match.index + whole.length + credential[0].length;
            spans.push({ start: end - credential[1].length, end });
            accepted = true;
          }
        } else if (separator === '=' || quote || quoted !== undefined || looksLikeColonValue(value)) {
          spans.push({ start: valueStart, end: valueEnd });
          accepted = true;
        }
      }
      // a value that is not a secret itself may hold one (`"message": "Password=hunter2;"`): search it too
      if (!accepted) KEY_VALUE.lastIndex = match.index + prefix.length;
    }
    return spans;
  },
};

/** `?name=value` and `&name=value` pairs (URLs, form bodies, fragments); the value of a secret-named parameter is cut out. */
const QUERY_PAIR = /[?&#;]([^=&#;\s?]+)=([^&#;\s"'<>]*)/g;

const queryRule: SecretRule = {
  name: 'secret query parameter',
  find: (text) => {
    const spans: Span[] = [];
    QUERY_PAIR.lastIndex = 0;
    for (let match = QUERY_PAIR.exec(text); match; match = QUERY_PAIR.exec(text)) {
      const [pair, name, value] = match;
      if (value && value !== MARKER && isSecretQueryParam(safeDecode(name))) {
        const end = match.index + pair.length;
        spans.push({ start: end - value.length, end });
      }
    }
    return spans;
  },
};

/** Every occurrence of a value registered with `registerSecretValues`, whatever its shape. */
function registeredValueRule(): SecretRule {
  return {
    name: 'registered secret value',
    find: (text) => {
      const spans: Span[] = [];
      for (const value of registeredSecretValues()) {
        for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) spans.push({ start: at, end: at + value.length });
      }
      return spans;
    },
  };
}

/**
 * The table. Provider prefixes after gitleaks / secretlint; each needs the
 * random part real keys have, so names such as `sk-customer-support-bot` pass.
 */
const SECRET_RULES: readonly SecretRule[] = [
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, ...): the whole block, body included
  matches('PEM private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[\s\S]*)/),
  // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-api03-), DeepSeek (sk-<hex>), ...: a random run of 16+ after the prefix
  matches('sk- provider key', /\bsk-(?:[A-Za-z0-9]+-){0,4}[A-Za-z0-9_]{16,}[A-Za-z0-9_-]*/, (m) => looksRandom(longestRun(m[0].slice(3)))),
  matches('Stripe key', /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/),
  matches('GitHub token', /\bgh[pousr]_[A-Za-z0-9]{20,}/),
  matches('GitHub fine-grained token', /\bgithub_pat_[A-Za-z0-9_]{20,}/),
  matches('GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}/),
  matches('Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/, (m) => /\d/.test(m[0])),
  matches('AWS access key id', /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/),
  matches('Google API key', /\bAIza[0-9A-Za-z_-]{35}/),
  matches('Hugging Face token', /\bhf_[A-Za-z0-9]{30,}/),
  matches('npm token', /\bnpm_[A-Za-z0-9]{36}/),
  matches('Temporal Cloud API key', /\btmprl-api-key-[A-Za-z0-9_-]{16,}/),
  matches('SendGrid key', /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/),
  matches('Groq / xAI key', /\b(?:gsk_|xai-)[A-Za-z0-9]{32,}/, (m) => looksRandom(m[0])),
  // JWTs, signed or not
  matches('JWT', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/),
  // "Bearer <token>" (a digit or mixed case keeps prose such as "Bearer tokens are ..." out)
  matches('Bearer credential', /\bbearer[ \t]+[A-Za-z0-9._~+/-]{12,}=*/i, (m) => looksEncoded(m[0].replace(/^bearer[ \t]+/i, ''))),
  // "Basic <base64 user:password>"
  matches('Basic credential', /\bbasic[ \t]+[A-Za-z0-9+/]{8,}={0,2}(?![A-Za-z0-9+/=])/i, (m) => looksEncoded(m[0].replace(/^basic[ \t]+/i, ''))),
  // user:password@ in a URL: the scheme stays, so the text still says where it pointed
  {
    name: 'URL with a password',
    find: (text) =>
      matches('', /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#@]{0,256}:[^\s/?#@]{1,256}@/i)
        .find(text)
        .map((span) => {
          const scheme = text.slice(span.start, span.end).indexOf('://') + 3;
          return { start: span.start + scheme, end: span.end, replacement: `${MARKER}@` };
        }),
  },
  // a long hex / base64 value right after a key-like word: "x-api-key 0123...", "invalid key: 5f4d..."
  {
    name: 'encoded value after a key word',
    find: (text) => {
      const spans: Span[] = [];
      const pattern = /\b(?:api[-_ ]?key|key|token|secret|password|signature|credential)s?["']?[ \t]*(?:[:=]|is|was)?[ \t]*["']?([A-Za-z0-9+/_-]{32,}={0,2})/gi;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        if (looksRandom(longestRun(match[1]))) spans.push({ start: match.index + match[0].length - match[1].length, end: match.index + match[0].length });
      }
      return spans;
    },
  },
  keyValueRule,
  queryRule,
  registeredValueRule(),
];

/** The credentials in a text, as sorted, non-overlapping spans. */
function findSecretSpans(text: string): Span[] {
  const all = SECRET_RULES.flatMap((rule) => rule.find(text)).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of all) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      if (span.end > last.end) {
        last.end = span.end;
        last.replacement = undefined;
      }
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

/**
 * True when a string contains something shaped like a credential: provider
 * keys (`sk-...`, `ghp_...`, `xoxb-...`, `AKIA...`, `AIza...`, `hf_...`),
 * `Bearer`/`Basic` credentials, a PEM private key, a JWT, a URL with a
 * password, a pair whose key names a secret (`Password=...;`,
 * `x-api-key: ...`), a signed URL's signature (`sig=`, `X-Amz-Signature=`)
 * or a long encoded value after a key-like word, and any value registered
 * with `registerSecretValues`. Names and prose are not.
 *
 * @example
 * looksLikeSecret('sk-proj-0123456789abcdefABCDEF'); // true
 * looksLikeSecret('Server=db;Database=app;User Id=app;Password=hunter2;'); // true
 * looksLikeSecret('sk-customer-support-bot'); // false
 */
export function looksLikeSecret(value: string): boolean {
  return SECRET_RULES.some((rule) => rule.find(value).length > 0);
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
 * readable: for error messages, stack traces, log lines and CLI output, which
 * must say what went wrong without carrying the key a provider echoed back.
 * Finds what {@link looksLikeSecret} finds (registered values included:
 * `registerSecretValues`); a secret key or query parameter
 * keeps its name, a URL with a password keeps its scheme and host.
 *
 * @example
 * redactSecretsInText('401 from https://api/?api_key=abc123 for sk-proj-0123456789abcdefABCDEF');
 * // => '401 from https://api/?api_key=[redacted] for [redacted]'
 * redactSecretsInText('login failed: Server=db;Password=hunter2;');
 * // => 'login failed: Server=db;Password=[redacted];'
 */
export function redactSecretsInText(text: string): string {
  const spans = findSecretSpans(text);
  if (spans.length === 0) return text;
  let result = '';
  let at = 0;
  for (const span of spans) {
    result += text.slice(at, span.start) + (span.replacement ?? MARKER);
    at = span.end;
  }
  return result + text.slice(at);
}
