import { parseFlockDefinition } from '@flock-ts/config';

import { compactFlockDefinition } from './compact-definition';
import { exampleFlockDefinition } from './example-flock.fixture';
import { richDefinition } from './rich-definition.fixture';

describe('compactFlockDefinition', () => {
  it('leaves out every value the schema fills in by itself', () => {
    expect(compactFlockDefinition(parseFlockDefinition({ name: 'tiny' }))).toEqual({ name: 'tiny' });
    const agent = { name: 'a', input: 'x: string', output: 'y: string' };
    expect(compactFlockDefinition(parseFlockDefinition({ name: 'tiny', agents: [agent] }))).toEqual({ name: 'tiny', agents: [agent] });
  });

  it('leaves out defaults inside optional parts (context, approval) and keeps what differs', () => {
    const definition = parseFlockDefinition({
      name: 'reviewed',
      agents: [{ name: 'a', input: 'x: string', output: 'y: string', context: { history: 0, input: true }, approval: { onTimeout: 'approve', onReject: 'fail' } }],
    });
    expect(compactFlockDefinition(definition)).toEqual({
      name: 'reviewed',
      agents: [{ name: 'a', input: 'x: string', output: 'y: string', context: { input: true }, approval: { onTimeout: 'approve' } }],
    });
  });

  it('keeps every value that differs from its default', () => {
    const definition = parseFlockDefinition({
      name: 'set',
      maxIterations: 21,
      enableTemporal: true,
      agents: [{ name: 'a', input: 'x: string', output: 'y: string', tools: ['search'] }],
    });
    expect(compactFlockDefinition(definition)).toEqual({
      name: 'set',
      maxIterations: 21,
      enableTemporal: true,
      agents: [{ name: 'a', input: 'x: string', output: 'y: string', tools: ['search'] }],
    });
  });

  it('leaves signatures, settings and metadata as they are', () => {
    const compact = compactFlockDefinition(parseFlockDefinition(exampleFlockDefinition())) as { agents: Array<Record<string, unknown>> };
    const reader = exampleFlockDefinition().agents?.[0];
    expect(compact.agents[0]['output']).toEqual(reader?.output);
    expect(compact.agents[0]['settings']).toEqual(reader?.settings);
  });

  it('gives parseFlockDefinition what it needs to rebuild the definition whole, rich values included', () => {
    for (const definition of [richDefinition(), parseFlockDefinition(exampleFlockDefinition())]) {
      expect(parseFlockDefinition(compactFlockDefinition(definition))).toEqual(definition);
    }
  });
});
