import { DEADLINE_HOURS } from '../../shared/turkey-time.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import { ageOf, warningLevel } from './deadline.ts';
import type { Settler } from './settle.ts';

export type PendingSummary = Awaited<ReturnType<ConsentStore['pendingSummary']>>;

export type HousekeepingOptions = {
  store: Pick<ConsentStore, 'overdue' | 'pendingSummary'>;
  logger: Logger;
  now: () => number;
  settler: Settler;
};

/** Overdue records at most this many at a time. */
const OVERDUE_BATCH = 1000;

/**
 * What the dispatcher does before every pass, apart from sending (as pg-boss keeps its maintenance
 * apart from its workers): records past their deadline marked expired, even while nothing can be
 * sent; the pending figures of status(); a warning when the oldest pending record passes 24 h, and
 * again at 48 h.
 */
export class Housekeeping {
  /** The figures of the last run, for status(). */
  pending = 0;
  /** Age (since consentDate) of the pending record closest to its deadline; null when none is pending. */
  oldestPendingAgeMs: number | null = null;
  private warnedLevel = 0;

  constructor(private readonly opts: HousekeepingOptions) {}

  async run(): Promise<PendingSummary> {
    const { store, logger, now, settler } = this.opts;
    const t = now();
    const overdue = await store.overdue(t, OVERDUE_BATCH);
    await settler.expire(overdue);
    const summary = await store.pendingSummary();
    const earliest = summary.earliestDeadlineAt === null ? null : { deadlineAt: summary.earliestDeadlineAt };
    this.pending = summary.count;
    this.oldestPendingAgeMs = earliest === null ? null : ageOf(earliest, t);
    const level = earliest === null ? 0 : warningLevel(earliest, t);
    // Once per threshold: a warning when the level rises; none when it falls (records left).
    if (level > this.warnedLevel) {
      logger.warn(
        { event: 'dispatch.deadline-warning', oldestPendingAgeMs: this.oldestPendingAgeMs, pending: summary.count },
        `a pending record is over ${level / 3_600_000} h old: İYS must have it by ${DEADLINE_HOURS} h`,
      );
    }
    this.warnedLevel = level;
    return summary;
  }
}
