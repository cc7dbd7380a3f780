/**
 * The Temporal side of the integration tests. `@flock-ts/temporal` depends on
 * this package, so a static import from here would make the project graph
 * cyclic (and Nx's typecheck order impossible). The executor registers itself
 * with core when loaded, so loading it by a computed name at run time is all
 * the tests need, and keeps the graph one-way.
 */
const TEMPORAL_PACKAGE = ['@flock-ts', 'temporal'].join('/');

/** Registers the Temporal executor with `@flock-ts/core` (what `import '@flock-ts/temporal'` does). */
export async function loadTemporalExecutor(): Promise<void> {
  await import(TEMPORAL_PACKAGE);
}

/** The dev server the Jest global setup started. */
export function testServer(): { address: string; namespace: string } {
  const address = process.env['FLOCK_TEST_TEMPORAL_ADDRESS'];
  if (!address) throw new Error('FLOCK_TEST_TEMPORAL_ADDRESS is not set: run through the Jest global setup');
  return { address, namespace: process.env['FLOCK_TEST_TEMPORAL_NAMESPACE'] ?? 'default' };
}

let queues = 0;

/** A task queue no other test uses. */
export function uniqueQueue(prefix: string): string {
  queues += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${queues}`;
}

/** The failure types along an error's cause chain (Temporal puts the activity's failure type there). */
export function failureTypes(error: unknown): string[] {
  const types: string[] = [];
  for (let current = error as { type?: unknown; name?: unknown; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (typeof current.type === 'string') types.push(current.type);
    else if (typeof current.name === 'string') types.push(current.name);
  }
  return types;
}
