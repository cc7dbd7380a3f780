import { STEP_TEXT_TAIL_CHARS, appendTail, startStepHeartbeats } from './step-heartbeat';

describe('appendTail', () => {
  it('keeps the whole text while it is short', () => {
    expect(appendTail('ab', 'cd')).toBe('abcd');
  });

  it('keeps the last STEP_TEXT_TAIL_CHARS characters', () => {
    const tail = appendTail('x'.repeat(STEP_TEXT_TAIL_CHARS), 'yz');
    expect(tail).toHaveLength(STEP_TEXT_TAIL_CHARS);
    expect(tail.endsWith('xyz')).toBe(true);
    expect(appendTail('', 'a'.repeat(STEP_TEXT_TAIL_CHARS) + 'b')).toBe('a'.repeat(STEP_TEXT_TAIL_CHARS - 1) + 'b');
  });
});

describe('startStepHeartbeats', () => {
  const info = { attempt: 1 } as never;

  it('heartbeats periodically until stopped, and on each text delta with the running length', async () => {
    const beats: Array<{ text: { length: number; tail: string } }> = [];
    const beats$ = startStepHeartbeats({ info, heartbeat: (d: unknown) => beats.push(d as never) }, { agent: 'a', step: 3 }, 20);
    beats$.onText('');
    expect(beats).toHaveLength(0);
    beats$.onText('x'.repeat(STEP_TEXT_TAIL_CHARS));
    beats$.onText('yz');
    expect(beats.map((b) => b.text.length)).toEqual([STEP_TEXT_TAIL_CHARS, STEP_TEXT_TAIL_CHARS + 2]);
    expect(beats[1].text.tail.endsWith('xyz')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 90));
    beats$.stop();
    const count = beats.length;
    expect(count).toBeGreaterThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(beats).toHaveLength(count);
  });

  it('does nothing for a local activity: no timer, no heartbeat on text or progress', async () => {
    const beats: unknown[] = [];
    const local = startStepHeartbeats({ info: { attempt: 1, isLocal: true } as never, heartbeat: (d: unknown) => beats.push(d) }, { agent: 'a', step: 0 }, 10);
    local.onText('hello');
    local.heartbeat({ page: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    local.stop();
    expect(beats).toEqual([]);
  });
});
