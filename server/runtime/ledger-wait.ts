import type { Logger } from '../log/logger.ts';
import { describeLedger, mayComeUp, openStore, type OpenStoreOptions } from '../stores/open-store.ts';
import type { ConsentStore } from '../stores/store.ts';

/** The waits between attempts: doubling from the first, never longer than the last. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
/** After this long without a ledger, start-up fails (exit 1, naming IYS_DATABASE_URL) with the last error. */
const GIVE_UP_AFTER_MS = 5 * 60_000;

export type LedgerWaitOptions = {
  logger: Logger;
  storeOptions?: OpenStoreOptions;
  /** Tests shorten the waits. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
};

/**
 * The ledger of IYS_DATABASE_URL, open and migrated. A PostgreSQL server that is not there yet (a
 * machine booting, a database restarting or failing over) is waited for with a bounded back-off,
 * one log line per attempt naming what is awaited (the URL without its password), rather than the
 * collector exiting at once and leaving the restart to a supervisor. Anything that waiting will not
 * mend (a refused password, a missing database, a SQLite file that cannot be opened) fails at once.
 */
export async function openLedger(url: string, opts: LedgerWaitOptions): Promise<ConsentStore> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = opts.now ?? Date.now;
  const store = openStore(url, { logger: opts.logger, ...opts.storeOptions });
  const started = now();
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await store.init();
      return store;
    } catch (err) {
      if (!mayComeUp(url, err) || now() - started + delay > GIVE_UP_AFTER_MS) {
        await store.close().catch(() => {});
        throw err;
      }
      const why = err instanceof Error ? err.message : String(err);
      opts.logger.warn(
        { event: 'collector.waiting-for-ledger', ledger: describeLedger(url), attempt, retryInMs: delay, err: why },
        `waiting for the PostgreSQL ledger at ${describeLedger(url)} (${why}): attempt ${attempt}, next in ${delay / 1000} s`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
}
