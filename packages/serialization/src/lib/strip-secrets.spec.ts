import { REDACTED, stripSecrets } from './strip-secrets';
import { findSecretKey } from '@flock-ts/secrets';
import { FAKE } from '@flock-ts/secrets/testing';

const OPENAI = FAKE.openai;
const GITHUB = FAKE.github;

describe('stripSecrets', () => {
  it('drops properties whose key names a secret, at any depth', () => {
    const out = stripSecrets({ model: 'm', apiKey: 'plain-key', nested: { db: { password: 'hunter2', host: 'db' } } });
    expect(out).toEqual({ model: 'm', nested: { db: { host: 'db' } } });
    expect('apiKey' in out).toBe(false);
  });

  it('redacts instead of dropping with secretKeys: redact', () => {
    expect(stripSecrets({ token: 'abc', user: 'u' }, { secretKeys: 'redact' })).toEqual({ token: REDACTED, user: 'u' });
  });

  it('replaces a secret key whose value is an object or a number as a whole', () => {
    expect(stripSecrets({ credentials: { user: 'u', pass: 'p' }, pin: 1, accessToken: 1234 })).toEqual({ pin: 1 });
  });

  it('keeps null, undefined and boolean values of secret keys: they carry no secret', () => {
    expect(stripSecrets({ apiKey: null, token: undefined, password: false })).toEqual({ apiKey: null, token: undefined, password: false });
  });

  it('replaces secret-looking strings as a whole, wherever they are', () => {
    const out = stripSecrets({
      instructions: `use ${OPENAI} to call`,
      list: ['ok', GITHUB],
      tags: new Set(['a', OPENAI]),
      byName: new Map<string, string>([
        ['note', GITHUB],
        [OPENAI, 'value'],
      ]),
    });
    expect(out.instructions).toBe(REDACTED);
    expect(out.list).toEqual(['ok', REDACTED]);
    expect(out.tags).toEqual(new Set(['a', REDACTED]));
    expect(out.byName).toEqual(new Map([['note', REDACTED]]));
  });

  it('drops Map entries whose key names a secret', () => {
    expect(
      stripSecrets(
        new Map<string, unknown>([
          ['clientSecret', 'x'],
          ['region', 'eu'],
        ]),
      ),
    ).toEqual(new Map([['region', 'eu']]));
  });

  it('removes user info and secret parameters from URLs', () => {
    const out = stripSecrets({ endpoint: new URL(`https://user:pw@api.example.com/v1?model=m&api_key=abc#access_token=xyz`) });
    expect(out.endpoint).toBeInstanceOf(URL);
    expect((out.endpoint as URL).href).toBe('https://api.example.com/v1?model=m');
  });

  it('redacts Error messages that hold a secret and secret Error properties', () => {
    const error = Object.assign(new Error(`401 for ${OPENAI}`, { cause: new Error(`Bearer ${GITHUB}`) }), { code: 'E_AUTH', token: 't' });
    error.name = 'AuthError';
    const out = stripSecrets(error);
    expect(out.name).toBe('AuthError');
    expect(out.message).toBe(REDACTED);
    expect((out.cause as Error).message).toBe(REDACTED);
    expect(out.code).toBe('E_AUTH');
    expect('token' in out).toBe(false);
    expect(out.stack).not.toContain(OPENAI);
  });

  it('makes a deep copy and leaves the input untouched', () => {
    const input = { at: new Date(0), settings: { apiKey: 'k', items: [1, { n: 2 }] }, ids: new Set([1n]) };
    const out = stripSecrets(input);
    expect(out.at).toEqual(input.at);
    expect(out.at).not.toBe(input.at);
    expect(out.settings.items).not.toBe(input.settings.items);
    expect(out.ids).not.toBe(input.ids);
    out.settings.items.push(3);
    expect(input.settings).toEqual({ apiKey: 'k', items: [1, { n: 2 }] });
  });

  it('preserves shared and circular references', () => {
    const shared = { a: 1 };
    const input: Record<string, unknown> = { one: shared, two: shared };
    input['self'] = input;
    const out = stripSecrets(input);
    expect(out['one']).toBe(out['two']);
    expect(out['self']).toBe(out);
  });

  it('keeps class instances on their prototype and null-prototype objects bare', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly secret: string,
      ) {}
      norm(): number {
        return Math.abs(this.x);
      }
    }
    const out = stripSecrets({ p: new Point(-3, 's'), bare: Object.assign(Object.create(null), { a: 1 }) });
    expect(out.p).toBeInstanceOf(Point);
    expect(out.p.norm()).toBe(3);
    expect('secret' in out.p).toBe(false);
    expect(Object.getPrototypeOf(out.bare)).toBeNull();
  });

  it('copies an own __proto__ key as data instead of changing the prototype', () => {
    const out = stripSecrets(JSON.parse('{"__proto__": {"polluted": true}}') as object);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });

  it('keeps ordinary values as they are', () => {
    const input = { n: 1, big: 2n, flag: true, nil: null, re: /a+/g, bytes: new Uint8Array([1, 2]), text: 'hello' };
    expect(stripSecrets(input)).toEqual(input);
  });
});

describe('stripSecrets: probe formats and names (issue 12)', () => {
  const hunter = ['Pass', 'word=hunter2;'].join('');

  it('drops pwd, pass and subscription keys at any depth', () => {
    expect(stripSecrets({ db: { pwd: 'x1' }, auth: { user: 'u', pass: 'p' }, headers: { 'Ocp-Apim-Subscription-Key': 'k', accept: 'json' } })).toEqual({
      db: {},
      auth: { user: 'u' },
      headers: { accept: 'json' },
    });
  });

  it('replaces connection strings and signed URLs as a whole by default', () => {
    const out = stripSecrets({ conn: `Server=db;User Id=app;${hunter}`, sas: 'https://a.blob.core.windows.net/c/b?sv=1&sig=abc%3D' });
    expect(out).toEqual({ conn: REDACTED, sas: REDACTED });
  });

  it('removes sig and X-Amz-Signature from URL objects', () => {
    const out = stripSecrets({ url: new URL('https://b.s3.amazonaws.com/o?X-Amz-Expires=9&X-Amz-Signature=0f1e2d&sig=abc') });
    expect((out.url as URL).href).toBe('https://b.s3.amazonaws.com/o?X-Amz-Expires=9');
  });

  it("with strings: 'cut', cuts only the credential out of strings and errors", () => {
    const error = new Error(`login failed: ${hunter}`);
    const out = stripSecrets({ msg: `connect Server=db;${hunter}`, err: error }, { strings: 'cut' });
    expect(out.msg).toBe('connect Server=db;Password=[redacted];');
    expect(out.err.message).toBe('login failed: Password=[redacted];');
    expect(out.err.stack).toContain('login failed: Password=[redacted];');
    expect(out.err.stack).not.toContain('hunter2');
  });

  it('keeps names that start like a provider key: they are identifiers, not secrets', () => {
    const def = { name: 'sk-customer-support-bot', agents: [{ name: 'sk-summarizer-agent-01', tools: ['sk-lookup-tool'] }] };
    expect(stripSecrets(def)).toEqual(def);
  });
});

describe('findSecretKey', () => {
  it('names the path of the first secret-named entry that holds a value', () => {
    expect(findSecretKey({ topic: 't', apiKey: 'k' }, 'input')).toBe('input.apiKey');
    expect(findSecretKey({ headers: { Authorization: 'Bearer x' } }, 'input')).toBe('input.headers.Authorization');
    expect(findSecretKey({ list: [{ auth: { pass: 'p' } }] }, 'input')).toBe('input.list[0].auth.pass');
    expect(findSecretKey(new Map([['token', 't']]), 'm')).toBe('m.token');
  });

  it('is undefined without one (null and boolean values carry none)', () => {
    expect(findSecretKey({ topic: 't', maxTokens: 3, apiKey: null, password: false }, 'input')).toBeUndefined();
  });
});
