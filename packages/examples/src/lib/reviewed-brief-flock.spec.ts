import type { FlockRunEvent } from '@flock-ts/core';
import { REVIEWED_BRIEF_START_AGENT, createReviewedBriefFlock } from './reviewed-brief-flock';

describe('reviewed-brief flock (in-process)', () => {
  it('waits for the editor, streams the brief, and redoes it after a rejection', async () => {
    const run = await createReviewedBriefFlock({ wordDelayMs: 0 }).start({ startAgent: REVIEWED_BRIEF_START_AGENT, input: { topic: 'tides' } });
    const events: FlockRunEvent[] = [];
    for await (const event of run.events()) {
      events.push(event);
      if (event.type !== 'waiting') continue;
      const { kind, step } = event.waitingFor;
      if (kind === 'input') await run.send({ output: { angle: 'the moon', audience: 'newcomers' } });
      else if (step === 2) await run.send({ approved: false, comment: 'name a source' });
      else await run.send({ approved: true, by: 'ed' });
    }
    const result = await run.result();
    expect(result.stepCount).toBe(4);
    expect(result.output.brief).toMatch(/^tides: a brief for newcomers, taking the moon\..*Revised after review \("name a source"\)\.$/);
    const text = events.filter((e): e is Extract<FlockRunEvent, { type: 'text-delta' }> => e.type === 'text-delta');
    expect(
      text
        .filter((e) => e.step === 3)
        .map((e) => e.delta)
        .join(''),
    ).toBe(result.output.brief);
    expect(events.filter((e) => e.type === 'waiting').map((e) => (e as { waitingFor: { kind: string } }).waitingFor.kind)).toEqual(['input', 'approval', 'approval']);
  });

  it('refuses an audience outside the signature', async () => {
    const run = await createReviewedBriefFlock({ wordDelayMs: 0 }).start({ startAgent: REVIEWED_BRIEF_START_AGENT, input: { topic: 'tides' } });
    for await (const event of run.events()) if (event.type === 'waiting') break;
    await expect(run.send({ output: { angle: 'the moon', audience: 'kids' } })).rejects.toMatchObject({
      name: 'InvalidResponseError',
      issues: [expect.stringMatching(/^output\.audience: /)],
    });
    await run.cancel();
  });
});
