import type { DispatcherEvent } from '../dispatch/events.ts';
import type { Logger } from '../log/logger.ts';

/** iletiMerkezi counts as unreachable once its requests have gone unanswered this long, with no answer between. */
export const UNREACHABLE_AFTER_MS = 30_000;

export type Reachability = { reachable: true } | { reachable: false; sinceMs: number; lastError: string };

/**
 * Whether iletiMerkezi answers, from the dispatcher's requests: one that got no answer at all (a
 * refused connection, a DNS failure, a timeout: a transient or ambiguous outcome without a code)
 * starts the clock, any answer stops it. After UNREACHABLE_AFTER_MS of silence /healthz reports it
 * (degraded: collecting goes on) and the log says so at warn, once; the first answer after that is
 * logged once too. Not per request: the client's own line for each request stays at info.
 */
export class IysReachability {
  private silentSince: number | null = null;
  private lastError = '';
  private reported = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: { logger: Logger; now?: () => number }) {
    this.now = opts.now ?? Date.now;
  }

  /** The dispatcher's onEvent (beside the metrics'). */
  observe(e: DispatcherEvent): void {
    if (e.type !== 'request') return;
    if (e.code === null && (e.outcome === 'transient' || e.outcome === 'ambiguous')) this.unanswered(e.message);
    else this.answered();
  }

  status(): Reachability {
    if (this.silentSince === null || this.now() - this.silentSince < UNREACHABLE_AFTER_MS) return { reachable: true };
    this.report();
    return { reachable: false, sinceMs: this.silentSince, lastError: this.lastError };
  }

  private unanswered(message: string): void {
    this.lastError = message;
    if (this.silentSince !== null) return;
    this.silentSince = this.now();
    // Said at the threshold even when no request or /healthz comes then (a long back-off).
    this.timer = setTimeout(() => this.status(), UNREACHABLE_AFTER_MS);
    this.timer.unref();
  }

  private answered(): void {
    clearTimeout(this.timer);
    if (this.reported && this.silentSince !== null) {
      this.opts.logger.warn(
        { event: 'iletimerkezi.reachable', silentMs: this.now() - this.silentSince },
        'iletiMerkezi answers again: sending goes on',
      );
    }
    this.silentSince = null;
    this.reported = false;
  }

  private report(): void {
    if (this.reported || this.silentSince === null) return;
    this.reported = true;
    this.opts.logger.warn(
      { event: 'iletimerkezi.unreachable', silentMs: this.now() - this.silentSince, lastError: this.lastError },
      `iletiMerkezi has not answered for ${Math.round((this.now() - this.silentSince) / 1000)} s (${this.lastError}): consents are still collected and stay pending`,
    );
  }
}
