import { getExecutorFactory, registerExecutor, unregisterExecutor } from './executor';

describe('executor registry', () => {
  afterEach(() => unregisterExecutor('temporal'));

  it('returns the last registered factory of a kind', () => {
    const first = () => ({ run: jest.fn(), start: jest.fn(), getRun: jest.fn() });
    const second = () => ({ run: jest.fn(), start: jest.fn(), getRun: jest.fn() });
    registerExecutor('temporal', first);
    registerExecutor('temporal', second);
    expect(getExecutorFactory('temporal')).toBe(second);
  });

  it('lives on globalThis so every copy of the module shares it', () => {
    const factory = () => ({ run: jest.fn(), start: jest.fn(), getRun: jest.fn() });
    registerExecutor('temporal', factory);
    const shared = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('@flock-ts/core/executors')];
    expect(shared.get('temporal')).toBe(factory);
  });
});
