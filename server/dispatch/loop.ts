/**
 * The dispatcher's loop, kept apart from what a pass does (as pg-boss keeps its polling loop alone
 * in a worker): run a pass, then sleep until the moment it asked for, a kick (an insert) or stop,
 * never longer than the idle poll. Nothing here knows of İYS or the ledger.
 */

/** After a pass that threw, the next one comes this much later. */
const RETRY_AFTER_ERROR_MS = 1000;

export type LoopOptions = {
  /**
   * One pass. Resolves to when to run the next: 0 at once, an epoch ms by `now`, or null when
   * nothing is due before a kick (the idle poll still bounds the sleep).
   */
  pass: () => Promise<number | null>;
  now: () => number;
  /** The longest sleep, whatever the pass asked for. */
  idlePollMs: number;
  /** Subscribes the loop's kick to wake-ups from outside (inserts); returns the unsubscribe. */
  wakeOn: (kick: () => void) => () => void;
  /** A pass threw: the loop reports it and runs again after RETRY_AFTER_ERROR_MS. */
  onError: (e: unknown) => void;
};

export type Loop = {
  readonly running: boolean;
  /** Set by stop(): a pass checks it between requests. */
  readonly stopping: boolean;
  start(): void;
  /** Cuts the sleeps short, waits for the pass under way to end, and unsubscribes. */
  stop(): Promise<void>;
  /** Wakes the loop now. */
  kick(): void;
  /** A sleep inside a pass: only stop cuts it short, a kick does not. */
  sleep(ms: number): Promise<void>;
};

export function createLoop(opts: LoopOptions): Loop {
  const { pass, now, idlePollMs } = opts;
  let running = false;
  let stopping = false;
  let done: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  let woken = false;
  let unsubscribe: (() => void) | null = null;
  // Settles on stop(); made anew by each start, so the sleeps of a restarted loop run their course.
  let stopped: Promise<void> = Promise.resolve();
  let onStop: () => void = () => {};

  const kick = () => {
    woken = true;
    wake?.();
  };

  /** Waits until `at` (epoch ms, by the injected clock), a kick or stop. */
  async function waitUntil(at: number): Promise<void> {
    if (woken || stopping) {
      woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, at - now()));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
    woken = false;
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let next: number | null;
      try {
        next = await pass();
      } catch (e) {
        opts.onError(e);
        next = now() + RETRY_AFTER_ERROR_MS;
      }
      if (stopping) break;
      if (next === 0) continue;
      const latest = now() + idlePollMs;
      await waitUntil(next === null ? latest : Math.min(next, latest));
    }
  }

  return {
    get running() {
      return running;
    },
    get stopping() {
      return stopping;
    },
    start() {
      if (running) return;
      running = true;
      stopping = false;
      stopped = new Promise<void>((resolve) => (onStop = resolve));
      unsubscribe = opts.wakeOn(kick);
      done = run();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      onStop();
      kick();
      await done;
      unsubscribe?.();
      running = false;
    },
    kick,
    async sleep(ms) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    },
  };
}

/**
 * A lease's upkeep while a pass works: the returned `renew` extends the lease once a third of it
 * has gone by since it was taken or last extended, so it never runs out under a long isolation,
 * at one write per third of a lease rather than one per request.
 */
export function leaseRenewal(leaseMs: number, now: () => number, takenAt: number, extend: (until: number) => Promise<void>): () => Promise<void> {
  let at = takenAt;
  return async () => {
    if (now() - at < leaseMs / 3) return;
    at = now();
    await extend(at + leaseMs);
  };
}
