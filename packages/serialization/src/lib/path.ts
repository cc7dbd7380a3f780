/**
 * Extends a path in the notation of `@flock-ts/config` errors:
 * `agents[0].settings.format`.
 */
export function appendPath(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return path ? `${path}.${segment}` : segment;
}
