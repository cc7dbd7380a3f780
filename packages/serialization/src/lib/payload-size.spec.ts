import { assertPayloadSize, DEFAULT_PAYLOAD_GUARD_BYTES, payloadSize, TEMPORAL_PAYLOAD_LIMIT_BYTES } from './payload-size';

describe('payload size guard', () => {
  it('measures the payload the Flock converter writes, rich-type metadata included', () => {
    expect(payloadSize({ a: 'xx' })).toBe('{"a":"xx"}'.length + 'encoding'.length + 'json/plain'.length);
    expect(payloadSize({ at: new Date(0) })).toBeGreaterThan(payloadSize({ at: '1970-01-01T00:00:00.000Z' }));
  });

  it('stays below Temporal limit by default', () => {
    expect(DEFAULT_PAYLOAD_GUARD_BYTES).toBeLessThan(TEMPORAL_PAYLOAD_LIMIT_BYTES);
  });

  it('returns the size under the limit', () => {
    expect(assertPayloadSize({ a: 1 }, { subject: 'x', limit: 100 })).toBe(payloadSize({ a: 1 }));
  });

  it('throws PayloadTooLargeError naming the subject, size, limit and what to do', () => {
    let error: Error & { code?: string; size?: number } = new Error('none');
    try {
      assertPayloadSize({ text: 'y'.repeat(300) }, { subject: 'Output of agent "writer"', limit: 200 });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.name).toBe('PayloadTooLargeError');
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/^Output of agent "writer" is \d+ bytes, over the limit of 200 bytes/);
    expect(error.message).toContain('by reference');
  });
});
