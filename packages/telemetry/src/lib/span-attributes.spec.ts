import { safeSpanAttributes } from './span-attributes';

describe('safeSpanAttributes', () => {
  it('keeps primitives, prefixes keys and writes objects as JSON', () => {
    expect(safeSpanAttributes({ n: 3, ok: true, name: 'reader', list: ['a'], nested: { x: 1 } }, 'flock.')).toEqual({
      'flock.n': 3,
      'flock.ok': true,
      'flock.name': 'reader',
      'flock.list': '["a"]',
      'flock.nested': '{"x":1}',
    });
  });

  it('redacts secret-named keys and credential-looking values, and leaves out empty ones', () => {
    expect(safeSpanAttributes({ apiKey: 'abc', note: 'sk-ant-0123456789abcdefghijklmnop', gone: undefined, none: null })).toEqual({
      apiKey: '[redacted]',
      note: '[redacted]',
    });
  });
});
