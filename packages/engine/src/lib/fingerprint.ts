import type { AgentDefinition, FlockDefinition, HandoffSpec, SignatureSpec } from '@flock-ts/config';
import type { StepFingerprint } from './run-types';

/** JSON with object keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A 53-bit string digest (cyrb53) in hex: enough to tell definitions apart, not a security hash. */
function digest(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

const signatureDigest = (spec: SignatureSpec) => digest(canonicalJson(spec));

/** `none`, `static:<agent>`, `code` or `router:<name>`. */
export function handoffLabel(next: HandoffSpec | undefined): string {
  if (!next) return 'none';
  if (next.kind === 'static') return `static:${next.agent}`;
  if (next.kind === 'router') return `router:${next.router}`;
  return 'code';
}

/** Digest of a flock's agent set. */
export function agentSetDigest(definition: Pick<FlockDefinition, 'agents'>): string {
  return digest(
    definition.agents
      .map((agent) => agent.name)
      .sort()
      .join('\n'),
  );
}

/**
 * The fingerprint of one agent's steps under a definition: what a worker's
 * live flock must agree with to run the step.
 *
 * @example
 * stepFingerprint(agentDefinition, agentSetDigest(definition)) // => { agents: '0f3…', input: '…', output: '…', next: 'code' }
 */
export function stepFingerprint(agent: AgentDefinition, agents: string): StepFingerprint {
  return { agents, input: signatureDigest(agent.input), output: signatureDigest(agent.output), next: handoffLabel(agent.next) };
}

/**
 * What differs between the fingerprint a step was planned with and the
 * worker's; empty when they agree.
 */
export function fingerprintDifferences(agent: string, planned: StepFingerprint, live: StepFingerprint): string[] {
  const differences: string[] = [];
  if (planned.agents !== live.agents) differences.push('the set of agent names differs');
  if (planned.input !== live.input) differences.push(`the input signature of "${agent}" differs`);
  if (planned.output !== live.output) differences.push(`the output signature of "${agent}" differs`);
  if (planned.next !== live.next) differences.push(`the hand-off of "${agent}" is ${live.next} here, ${planned.next} in the run`);
  return differences;
}
