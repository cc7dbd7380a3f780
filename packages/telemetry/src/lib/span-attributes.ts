import { stripSecrets } from '@flock-ts/serialization';
import type { AttributeValue, Attributes } from '@opentelemetry/api';

/**
 * Span attributes from values that may carry user data: secrets stripped
 * (secret-named keys keep the key with `[redacted]`), keys prefixed,
 * numbers/strings/booleans kept, anything else as compact JSON. Undefined
 * and null values are left out.
 *
 * @example
 * safeSpanAttributes({ model: 'gpt-4o', apiKey: 'k' }, 'flock.metric.')
 * // => { 'flock.metric.model': 'gpt-4o', 'flock.metric.apiKey': '[redacted]' }
 */
export function safeSpanAttributes(values: Record<string, unknown>, prefix = ''): Attributes {
  const safe = stripSecrets(values, { secretKeys: 'redact' });
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(safe)) {
    const attribute = toAttributeValue(value);
    if (attribute !== undefined) attributes[`${prefix}${key}`] = attribute;
  }
  return attributes;
}

function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
