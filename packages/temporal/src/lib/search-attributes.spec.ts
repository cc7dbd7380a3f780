import type { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from './search-attributes';

// The real-server behaviour is proven in tools/integration/search-attributes.spec.ts;
// this drives the decision logic through a hand-written stand-in of the two
// services it calls.

const KEYWORD = 2;
const INT = 3;

interface FakeServer {
  connection: Connection;
  attributes: Record<string, number>;
  addRequests: Record<string, number>[];
  queries: string[];
}

function fakeServer(
  initial: Record<string, number>,
  behaviour: {
    /** Runs instead of a normal add; may mutate `attributes` and throw. */
    onAdd?: (server: FakeServer, requested: Record<string, number>) => void;
    /** How many count queries fail before one is accepted. */
    queryRejections?: number;
  } = {},
): FakeServer {
  let rejections = behaviour.queryRejections ?? 0;
  const server: FakeServer = { attributes: { ...initial }, addRequests: [], queries: [], connection: undefined as never };
  server.connection = {
    operatorService: {
      listSearchAttributes: async () => ({
        customAttributes: { ...server.attributes },
        systemAttributes: { WorkflowType: KEYWORD },
      }),
      addSearchAttributes: async ({ searchAttributes }: { searchAttributes: Record<string, number> }) => {
        server.addRequests.push(searchAttributes);
        if (behaviour.onAdd) behaviour.onAdd(server, searchAttributes);
        else Object.assign(server.attributes, searchAttributes);
        return {};
      },
    },
    workflowService: {
      countWorkflowExecutions: async ({ query }: { query: string }) => {
        server.queries.push(query);
        if (rejections-- > 0) throw Object.assign(new Error('invalid query: unknown search attribute'), { code: 3 });
        return { count: 0 };
      },
    },
  } as unknown as Connection;
  return server;
}

const alreadyExists = (name: string) => Object.assign(new Error(`Search attribute ${name} already exists.`), { code: 6 });

describe('ensureSearchAttributes', () => {
  it('adds only the missing attributes, with their types', async () => {
    const server = fakeServer({ FlockName: KEYWORD });

    const result = await ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword', Attempts: 'Int' });

    expect(result.added).toEqual(['Attempts']);
    expect(server.addRequests).toEqual([{ Attempts: INT }]);
  });

  it('does nothing when all exist, without waiting on queries', async () => {
    const server = fakeServer({ FlockName: KEYWORD, SessionId: KEYWORD });

    const result = await ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword', SessionId: 'Keyword' });

    expect(result.added).toEqual([]);
    expect(server.addRequests).toEqual([]);
    expect(server.queries).toEqual([]);
  });

  it('waits until a query naming the added attributes is accepted', async () => {
    const server = fakeServer({}, { queryRejections: 3 });

    await ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword', Attempts: 'Int' });

    expect(server.queries).toHaveLength(4);
    expect(server.queries[0]).toBe("FlockName = '' AND Attempts = 0");
  });

  it('gives up waiting with SEARCH_ATTRIBUTE_NOT_VISIBLE after the bound', async () => {
    const server = fakeServer({}, { queryRejections: Number.POSITIVE_INFINITY });

    await expect(ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword' }, { visibleWithinMs: 100 })).rejects.toMatchObject({
      name: 'SearchAttributeRegistrationError',
      code: 'SEARCH_ATTRIBUTE_NOT_VISIBLE',
      attributes: ['FlockName'],
    });
  });

  it('treats "already exists" from a concurrent registration as success', async () => {
    const server = fakeServer(
      {},
      {
        onAdd: (s) => {
          // Another process registered the same attributes a moment earlier.
          Object.assign(s.attributes, { FlockName: KEYWORD });
          throw alreadyExists('FlockName');
        },
      },
    );

    const result = await ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword' });

    expect(result.added).toEqual([]);
  });

  it('adds the rest again when a concurrent registration added only some', async () => {
    let first = true;
    const server = fakeServer(
      {},
      {
        onAdd: (s, requested) => {
          if (first) {
            first = false;
            s.attributes['FlockName'] = KEYWORD;
            throw alreadyExists('FlockName');
          }
          Object.assign(s.attributes, requested);
        },
      },
    );

    const result = await ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword', SessionId: 'Keyword' });

    expect(server.addRequests).toEqual([{ FlockName: KEYWORD, SessionId: KEYWORD }, { SessionId: KEYWORD }]);
    expect(result.added).toEqual(['SessionId']);
  });

  it('passes on other errors of the operator API', async () => {
    const denied = Object.assign(new Error('permission denied'), { code: 7 });
    const server = fakeServer(
      {},
      {
        onAdd: () => {
          throw denied;
        },
      },
    );

    await expect(ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword' })).rejects.toBe(denied);
  });

  it('rejects a name that exists with another type, naming both', async () => {
    const server = fakeServer({ FlockName: INT });

    await expect(ensureSearchAttributes(server.connection, 'ns', { FlockName: 'Keyword' })).rejects.toMatchObject({
      code: 'SEARCH_ATTRIBUTE_TYPE_CONFLICT',
      attributes: ['FlockName'],
      message: expect.stringMatching(/FlockName.*Keyword.*Int/),
    });
    expect(server.addRequests).toEqual([]);
  });

  it('counts system attributes as existing', async () => {
    const server = fakeServer({});

    const result = await ensureSearchAttributes(server.connection, 'ns', { WorkflowType: 'Keyword' });

    expect(result.added).toEqual([]);
  });
});
