import { backoffDelay, type BackoffPolicy } from '../dispatch/backoff.ts';

/**
 * The pace of look-ups: at most `ratePerS` a second, and after a transient answer a growing back-off
 * (never shorter than Retry-After), so read-back stays well inside any rate limit and never competes
 * with sending for iletiMerkezi's patience.
 */
export class Pacer {
  private nextAt = 0;
  private failures = 0;

  constructor(
    private readonly o: { ratePerS: number; now: () => number; sleep: (ms: number) => Promise<void>; backoff: BackoffPolicy; random: () => number },
  ) {}

  /** Waits for the next slot and takes it. */
  async slot(): Promise<void> {
    const wait = this.nextAt - this.o.now();
    if (wait > 0) await this.o.sleep(wait);
    this.nextAt = Math.max(this.nextAt, this.o.now()) + 1000 / this.o.ratePerS;
  }

  /** An answer came: the back-off starts again from its base. */
  answered(): void {
    this.failures = 0;
  }

  /** No usable answer: the next slot waits out a back-off (and Retry-After). Returns the wait. */
  backOff(retryAfterMs?: number): number {
    const delay = backoffDelay(this.failures++, this.o.backoff, { retryAfterMs, random: this.o.random });
    this.nextAt = Math.max(this.nextAt, this.o.now() + delay);
    return delay;
  }

  /** When the next look-up may start (epoch ms). */
  get readyAt(): number {
    return this.nextAt;
  }
}
