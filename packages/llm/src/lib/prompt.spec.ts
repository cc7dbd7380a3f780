import { defineAgent } from '@flock-ts/core';
import { z } from 'zod';
import { describeFields, renderInputs, renderSystemPrompt, typeOf } from './prompt';

const agent = defineAgent({
  name: 'summarizer',
  description: 'Summarizes a text',
  input: "text: string | the text to summarize, limit?: integer | most words, style?: 'plain' | 'bullets'",
  output: 'summary: string | two sentences, points: { title: string, weight?: number }[]',
  evaluate: () => ({ summary: '', points: [] }),
});

describe('typeOf', () => {
  it('writes types in the signature syntax', () => {
    expect(typeOf({ type: 'array', items: { type: 'string', enum: ['a', 'b'] } })).toBe("('a' | 'b')[]");
    expect(typeOf({ type: 'object', properties: { x: { type: 'number' } }, required: [] })).toBe('{ x?: number }');
    expect(typeOf({})).toBe('unknown');
  });
});

describe('renderInputs', () => {
  it('gives each input a heading with its type and description, skipping absent optional ones', () => {
    expect(renderInputs(agent, { text: 'Temporal makes runs durable.', style: 'plain' })).toBe(
      "## text (string): the text to summarize\nTemporal makes runs durable.\n\n## style ('plain' | 'bullets')\nplain",
    );
  });

  it('renders structured inputs as JSON', () => {
    const structured = defineAgent({ name: 'ranker', input: z.object({ scores: z.array(z.number()) }), output: 'best: number', evaluate: () => ({ best: 0 }) });
    expect(renderInputs(structured, { scores: [1, 2] })).toBe('## scores (number[])\n[\n  1,\n  2\n]');
  });
});

describe('renderSystemPrompt', () => {
  it('says who the agent is, its instructions and every output field with its description', () => {
    const outputSchema = z.toJSONSchema(agent.output.schema) as Record<string, unknown>;
    const prompt = renderSystemPrompt(agent, { flockName: 'docs', outputSchema, instructions: 'Be brief.' });
    expect(prompt).toBe(
      [
        'You are "summarizer", an agent of the flock "docs".',
        'Your job: Summarizes a text',
        '',
        'Be brief.',
        '',
        'Answer with a single JSON object with these fields:',
        '- summary (string): two sentences',
        '- points ({ title: string, weight?: number }[])',
      ].join('\n'),
    );
    expect(describeFields({})).toEqual([]);
  });
});
