import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import type { HealthCheck } from './health.ts';

/** How long a probe's answer stands: /healthz is public, and a flood of it must not become a flood of commits. */
const PROBE_REUSE_MS = 1000;

/**
 * The `store` check of /healthz: can the ledger durably accept a consent now? A write
 * (ConsentStore.probeWrite), not a read: a full disk, or a database that is read-only or frozen,
 * may still answer a read. One probe at a time; its answer stands for a second.
 */
export function storeWriteCheck(store: Pick<ConsentStore, 'probeWrite'>, logger: Logger, now: () => number = Date.now): HealthCheck {
  let running: Promise<void> | undefined;
  let last: { at: number; result: Promise<void> } | undefined;
  const probe = async () => {
    try {
      await store.probeWrite();
    } catch (err) {
      // /healthz is public: a driver's message (host names, users, paths) stays in the log.
      logger.error({ event: 'health.store-failed', err: (err as Error).message }, 'the ledger could not commit the readiness probe');
      throw new Error('cannot write to the ledger');
    }
  };
  return () => {
    if (running) return running;
    if (last && now() - last.at < PROBE_REUSE_MS) return last.result;
    const result = probe().finally(() => {
      running = undefined;
      last = { at: now(), result };
    });
    running = result;
    return result;
  };
}
