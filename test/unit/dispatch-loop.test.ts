import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLoop, leaseRenewal, type LoopOptions } from '../../server/dispatch/loop.ts';

/** A loop whose passes answer from `answers` (then null), counting them; timers and Date are faked. */
function counted(answers: Array<number | null | Error | ((t: number) => number)>, over: Partial<LoopOptions> = {}) {
  const seen = { passes: 0, errors: [] as unknown[], unsubscribed: false, kickFromOutside: null as null | (() => void) };
  const loop = createLoop({
    pass: async () => {
      const answer = answers[seen.passes++] ?? null;
      if (answer instanceof Error) throw answer;
      return typeof answer === 'function' ? answer(Date.now()) : answer;
    },
    now: () => Date.now(),
    idlePollMs: 10_000,
    wakeOn: (kick) => {
      seen.kickFromOutside = kick;
      return () => void (seen.unsubscribed = true);
    },
    onError: (e) => void seen.errors.push(e),
    ...over,
  });
  return { loop, seen };
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('the dispatcher loop', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_800_000_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('with nothing due, sleeps until a kick or the idle poll, whichever comes first', async () => {
    const { loop, seen } = counted([]);
    loop.start();
    await advance(0);
    expect(seen.passes).toBe(1);
    await advance(9_999);
    expect(seen.passes).toBe(1);
    loop.kick();
    await advance(0);
    expect(seen.passes).toBe(2);
    await advance(10_000);
    expect(seen.passes).toBe(3);
    await loop.stop();
  });

  it('is woken by what it subscribed to at start, and unsubscribes on stop', async () => {
    const { loop, seen } = counted([]);
    loop.start();
    await advance(0);
    seen.kickFromOutside!();
    await advance(0);
    expect(seen.passes).toBe(2);
    expect(seen.unsubscribed).toBe(false);
    await loop.stop();
    expect(seen.unsubscribed).toBe(true);
    expect(loop.running).toBe(false);
  });

  it('runs again at once on 0, and at the moment a pass names, not before', async () => {
    const { loop, seen } = counted([0, 0, (t) => t + 500]);
    loop.start();
    await advance(0);
    expect(seen.passes).toBe(3);
    await advance(499);
    expect(seen.passes).toBe(3);
    await advance(1);
    expect(seen.passes).toBe(4);
    await loop.stop();
  });

  it('never sleeps past the idle poll, whatever the pass asked for', async () => {
    const { loop, seen } = counted([(t) => t + 60_000]);
    loop.start();
    await advance(10_000);
    expect(seen.passes).toBe(2);
    await loop.stop();
  });

  it('reports a pass that threw and runs again a second later', async () => {
    const boom = new Error('ledger gone');
    const { loop, seen } = counted([boom]);
    loop.start();
    await advance(999);
    expect(seen.errors).toEqual([boom]);
    expect(seen.passes).toBe(1);
    await advance(1);
    expect(seen.passes).toBe(2);
    await loop.stop();
  });

  it('stop() waits for the pass under way, and runs no pass after it', async () => {
    let finish: () => void = () => {};
    let passes = 0;
    const loop = createLoop({
      pass: () => (passes++, new Promise<number>((resolve) => (finish = () => resolve(0)))),
      now: () => Date.now(),
      idlePollMs: 10_000,
      wakeOn: () => () => {},
      onError: () => {},
    });
    loop.start();
    await advance(0);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    expect(loop.stopping).toBe(true);
    await advance(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(passes).toBe(1);
    expect(loop.running).toBe(false);
  });

  it("sleeps inside a pass its full time through kicks; stop cuts it short; a restarted loop's sleeps run their course", async () => {
    const { loop } = counted([]);
    loop.start();
    let slept = false;
    void loop.sleep(5_000).then(() => (slept = true));
    loop.kick();
    await advance(4_999);
    expect(slept).toBe(false);
    await advance(1);
    expect(slept).toBe(true);

    let cut = false;
    void loop.sleep(5_000).then(() => (cut = true));
    await loop.stop();
    await advance(0);
    expect(cut).toBe(true);

    loop.start();
    let again = false;
    void loop.sleep(5_000).then(() => (again = true));
    await advance(4_999);
    expect(again).toBe(false);
    await advance(1);
    expect(again).toBe(true);
    await loop.stop();
  });
});

describe('leaseRenewal', () => {
  it('extends a lease once a third of it has gone by since it was taken or last extended', async () => {
    let t = 0;
    const extended: number[] = [];
    const renew = leaseRenewal(3_000, () => t, 0, async (until) => void extended.push(until));
    t = 999;
    await renew();
    expect(extended).toEqual([]);
    t = 1_000;
    await renew();
    expect(extended).toEqual([4_000]);
    t = 1_999;
    await renew();
    expect(extended).toEqual([4_000]);
    t = 2_000;
    await renew();
    expect(extended).toEqual([4_000, 5_000]);
  });
});
