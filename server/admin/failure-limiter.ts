/**
 * Counts failed admin logins per client IP in a fixed window. Once an IP has used up its failures
 * it is refused outright until the window ends, right token or not: otherwise a guesser would
 * still learn when it hit. Bounded: at most `maxTracked` IPs are remembered, oldest dropped first.
 */
export class FailureLimiter {
  private readonly entries = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 15 * 60_000,
    private readonly maxTracked = 10_000,
  ) {}

  /** Milliseconds until `ip` may try again, or 0 when it may try now. */
  blockedFor(ip: string, now: number): number {
    const e = this.entries.get(ip);
    if (!e) return 0;
    if (now >= e.resetAt) {
      this.entries.delete(ip);
      return 0;
    }
    return e.failures >= this.maxFailures ? e.resetAt - now : 0;
  }

  fail(ip: string, now: number): void {
    const e = this.entries.get(ip);
    if (e && now < e.resetAt) {
      e.failures++;
      return;
    }
    if (e) this.entries.delete(ip);
    if (this.entries.size >= this.maxTracked) {
      // Map iteration is insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(ip, { failures: 1, resetAt: now + this.windowMs });
  }

  succeed(ip: string): void {
    this.entries.delete(ip);
  }
}
