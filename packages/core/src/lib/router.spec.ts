import { defineRouter, isRouter } from './router';

describe('defineRouter', () => {
  it('makes a router', () => {
    const router = defineRouter({ name: 'pick', minConfidence: 0.5, route: () => ({ nextAgent: 'a' }) });
    expect(isRouter(router)).toBe(true);
    expect(router.minConfidence).toBe(0.5);
  });

  it('rejects a bad name, a missing route and an out-of-range threshold', () => {
    try {
      defineRouter({ name: '', minConfidence: 2 } as never);
      throw new Error('expected a FlockConfigError');
    } catch (error) {
      expect((error as Error).name).toBe('FlockConfigError');
      expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['name', 'route', 'minConfidence']);
    }
  });
});
