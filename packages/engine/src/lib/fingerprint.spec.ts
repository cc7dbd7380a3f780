import { parseFlockDefinition, type AgentDefinitionInput, type FlockDefinition } from '@flock-ts/config';
import { agentSetDigest, fingerprintDifferences, handoffLabel, stepFingerprint } from './fingerprint';
import type { StepFingerprint } from './run-types';

const reader: AgentDefinitionInput = { name: 'reader', input: 'folder: string', output: 'documents: string[]', next: { kind: 'static', agent: 'writer' } };
const writer: AgentDefinitionInput = { name: 'writer', input: 'documents: string[]', output: 'text: string', next: { kind: 'code' } };

function definition(agents: AgentDefinitionInput[] = [reader, writer]): FlockDefinition {
  return parseFlockDefinition({ name: 'docs', agents });
}

/** The fingerprint of `agent`'s steps under a definition. */
function fingerprint(def: FlockDefinition, agent: string): StepFingerprint {
  const found = def.agents.find((a) => a.name === agent);
  if (!found) throw new Error(`no agent ${agent}`);
  return stepFingerprint(found, agentSetDigest(def));
}

/** What differs for `agent` between the definition a run started with and the worker's. */
function differences(planned: AgentDefinitionInput[], live: AgentDefinitionInput[], agent = 'reader'): string[] {
  return fingerprintDifferences(agent, fingerprint(definition(planned), agent), fingerprint(definition(live), agent));
}

describe('stepFingerprint', () => {
  it('is the same for the same definition, so a step runs', () => {
    expect(fingerprint(definition(), 'reader')).toEqual(fingerprint(definition(), 'reader'));
    expect(differences([reader, writer], [reader, writer])).toEqual([]);
    expect(differences([reader, writer], [reader, writer], 'writer')).toEqual([]);
  });

  it('is plain data that survives JSON', () => {
    const print = fingerprint(definition(), 'writer');
    expect(print).toEqual({ agents: expect.stringMatching(/^[0-9a-f]{14}$/), input: expect.stringMatching(/^[0-9a-f]{14}$/), output: expect.any(String), next: 'code' });
    expect(JSON.parse(JSON.stringify(print))).toEqual(print);
  });

  it('ignores what the step does not depend on: description, evaluator, tools, settings, agent order', () => {
    const changed = { ...reader, description: 'reads', evaluator: { kind: 'model' as const }, tools: ['ls'], settings: { depth: 2 } };
    expect(differences([reader, writer], [writer, changed])).toEqual([]);
  });

  it('does not depend on the key order of a JSON Schema signature', () => {
    const a = { ...writer, output: { jsonSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } } };
    const b = { ...writer, output: { jsonSchema: { required: ['text'], properties: { text: { type: 'string' } }, type: 'object' } } };
    expect(differences([reader, a], [reader, b], 'writer')).toEqual([]);
  });

  it('tells a changed output signature', () => {
    expect(differences([reader, writer], [{ ...reader, output: 'documents: string[], count: integer' }, writer])).toEqual(['the output signature of "reader" differs']);
  });

  it('tells a changed input signature', () => {
    expect(differences([reader, writer], [{ ...reader, input: 'folder: string, recursive?: boolean' }, writer])).toEqual(['the input signature of "reader" differs']);
  });

  it('tells a changed hand-off, saying what it is here and in the run', () => {
    const { next: _next, ...withoutNext } = writer;
    expect(differences([reader, writer], [reader, withoutNext], 'writer')).toEqual(['the hand-off of "writer" is none here, code in the run']);
    expect(differences([reader, writer], [{ ...reader, next: { kind: 'router', router: 'triage' } }, writer])).toEqual([
      'the hand-off of "reader" is router:triage here, static:writer in the run',
    ]);
  });

  it('tells a changed set of agents', () => {
    const extra: AgentDefinitionInput = { name: 'critic', input: 'text: string', output: 'ok: boolean' };
    expect(differences([reader, writer], [reader, writer, extra])).toEqual(['the set of agent names differs']);
    expect(differences([reader, writer, extra], [reader, writer])).toEqual(['the set of agent names differs']);
  });

  it('tells every difference at once', () => {
    const live = [{ ...reader, input: 'path: string', output: 'files: string[]', next: { kind: 'code' as const } }, writer, { name: 'other', input: '', output: '' }];
    expect(differences([reader, writer], live)).toEqual([
      'the set of agent names differs',
      'the input signature of "reader" differs',
      'the output signature of "reader" differs',
      'the hand-off of "reader" is code here, static:writer in the run',
    ]);
  });
});

describe('handoffLabel', () => {
  it('labels each kind of hand-off', () => {
    expect([handoffLabel(undefined), handoffLabel({ kind: 'static', agent: 'b' }), handoffLabel({ kind: 'code' }), handoffLabel({ kind: 'router', router: 'triage' })]).toEqual([
      'none',
      'static:b',
      'code',
      'router:triage',
    ]);
  });
});
