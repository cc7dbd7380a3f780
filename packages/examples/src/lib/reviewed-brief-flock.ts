import { Flock, defineAgent, type FlockOptions, type Agent, type NoExecutorFields } from '@flock-ts/core';
import { z } from 'zod';

/** The agent a reviewed-brief run starts at. */
export const REVIEWED_BRIEF_START_AGENT = 'outline';

/** Options of {@link createReviewedBriefFlock}; any flock option passes through. */
export type ReviewedBriefOptions<X extends object = NoExecutorFields> = Omit<FlockOptions<Agent, X>, 'name' | 'agents'> & {
  /** Flock name (default `reviewed-brief`). */
  name?: string;
  /** Pause between streamed words of the writer, in ms (default 40: enough to watch it stream). */
  wordDelayMs?: number;
  /** Seconds the editor has to answer before the fallback angle is used (default: no limit). */
  editorTimeoutSeconds?: number;
};

/** What the editor (a person) answers. */
export const EditorChoice = z.object({
  angle: z.string().min(3).describe('the angle the brief takes'),
  audience: z.enum(['experts', 'newcomers']).describe('who reads it'),
});

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A flock with people in the loop, for the README and the demo: `outline`
 * (code) proposes angles on a topic, `editor` is a person who picks one
 * (a human agent: the run waits, durably, for `{ angle, audience }`), and
 * `writer` (code) streams a brief word by word, which a person approves
 * before the run ends; a rejection sends the writer back to work with the
 * reviewer's comment (`approval: { onReject: 'redo' }`).
 *
 * @example
 * const run = await createReviewedBriefFlock().start({ startAgent: 'outline', input: { topic: 'tides' } });
 * for await (const event of run.events()) if (event.type === 'waiting') console.log(event.waitingFor);
 * // elsewhere: await run.send({ output: { angle: 'the moon', audience: 'newcomers' } }); await run.send({ approved: true });
 */
export function createReviewedBriefFlock<X extends object = NoExecutorFields>(options: ReviewedBriefOptions<X> = {}) {
  const { name = 'reviewed-brief', wordDelayMs = 40, editorTimeoutSeconds, ...flockOptions } = options;
  return new Flock({
    ...flockOptions,
    name,
    agents: [
      defineAgent({
        name: 'outline',
        description: 'Proposes angles on the topic',
        input: 'topic: string | what the brief is about',
        output: 'topic: string, angles: string[] | angles the editor may pick',
        evaluate: ({ topic }) => {
          const subject = topic.trim();
          return { topic: subject, angles: [`the history of ${subject}`, `${subject} explained simply`, `open questions about ${subject}`] };
        },
        next: 'editor',
      }),
      defineAgent({
        name: 'editor',
        description: 'A person picks the angle and the audience',
        input: 'topic: string, angles: string[]',
        output: EditorChoice,
        human: {
          prompt: 'Pick an angle for the brief (one of the proposed angles, or your own) and its audience',
          ...(editorTimeoutSeconds === undefined ? {} : { timeoutSeconds: editorTimeoutSeconds, fallback: { angle: 'an overview', audience: 'newcomers' as const } }),
        },
        next: 'writer',
      }),
      defineAgent({
        name: 'writer',
        description: 'Writes the brief, streaming it as it goes; a person approves it',
        input: 'topic: string, angle: string, audience: string',
        output: 'brief: string',
        evaluate: async ({ topic, angle, audience }, ctx) => {
          const revision = ctx.review ? ` Revised after review ("${ctx.review.comment ?? 'no comment'}").` : '';
          const brief = `${topic}: a brief for ${audience}, taking ${angle}. It states what is known, what is argued, and where to read on.${revision}`;
          for (const word of brief.split(/(?<= )/)) {
            ctx.emitText(word);
            // honours cancellation: a cancelled run stops here
            if (wordDelayMs > 0) await sleep(wordDelayMs, ctx.signal);
          }
          return { brief };
        },
        approval: { prompt: 'Publish this brief?', onReject: 'redo' },
      }),
    ],
  });
}
