import type { DataConverter } from '@temporalio/common';

/**
 * The data converter of Flock clients and workers: superjson-aware JSON
 * payloads (Dates, Maps, BigInts survive), readable in the Web UI. The same
 * converter is bundled into workflow code.
 */
export function flockDataConverter(): DataConverter {
  return { payloadConverterPath: require.resolve('@flock-ts/serialization/payload-converter') };
}
