import { pauseWordsOf } from '../dispatch/account-gate.ts';
import { NEAR_DEADLINE_MS } from '../dispatch/deadline.ts';
import type { ConsentStore } from '../stores/store.ts';
import type { HealthChecks } from './health.ts';
import type { Reachability } from './iys-reachability.ts';
import type { PauseStatus } from './metrics.ts';

/**
 * The /healthz checks an operator acts on, added to the collector's health module. All are İYS-side
 * (`degraded`: /healthz stays 200, the collector keeps collecting; /metrics carries them too):
 * - `sending`: the dispatcher paused because iletiMerkezi said 401/403/405 (the account, not the
 *   records), or refused every record and accepted none (422: most likely a wrong brand code);
 * - `iletimerkezi`: its requests have had no answer for more than 30 s (iys-reachability.ts);
 * - `deadline`: a pending record is within 24 h of its İYS deadline (consentDate more than 48 h ago);
 * - `confirmation` (with read-back on): registered records İYS did not show within IYS_CONFIRM_WITHIN_MS.
 * A ledger that cannot be written is the collector's own `store` check, the one that answers 503.
 */

/** The words /healthz uses for a pause (the account gate's); the reason is the code the dispatcher reports (e.g. "401"). */
export function pauseReason(status: PauseStatus): string | null {
  if (!status.paused) return null;
  const reason = String(status.reason ?? 'unknown');
  return `paused: ${pauseWordsOf(reason)?.advice ?? reason}`;
}

/** The words /healthz uses while iletiMerkezi does not answer; null while it does. */
export function unreachableReason(r: Reachability, at: number): string | null {
  if (r.reachable) return null;
  return `unreachable: no answer for ${Math.round((at - r.sinceMs) / 1000)} s (${r.lastError}); consents are collected and stay pending`;
}

export function addOperatorHealthChecks(
  health: HealthChecks,
  opts: {
    store: Pick<ConsentStore, 'pendingSummary' | 'unseenCount'>;
    /** Read-back is on (IYS_READBACK=1): records İYS does not show are a reason. */
    readback?: boolean;
    pauseStatus?: () => PauseStatus;
    reachability?: () => Reachability;
    now?: () => number;
  },
): HealthChecks {
  const now = opts.now ?? Date.now;
  if (opts.pauseStatus) {
    const pauseStatus = opts.pauseStatus;
    health.addCheck('sending', () => {
      const reason = pauseReason(pauseStatus());
      if (reason) throw new Error(reason);
    });
  }
  if (opts.reachability) {
    const reachability = opts.reachability;
    health.addCheck('iletimerkezi', () => {
      const reason = unreachableReason(reachability(), now());
      if (reason) throw new Error(reason);
    });
  }
  health.addCheck('deadline', async () => {
    let summary;
    try {
      summary = await opts.store.pendingSummary();
    } catch {
      return; // the `store` check reports a ledger that fails; one reason is enough
    }
    const earliest = summary.earliestDeadlineAt;
    if (earliest !== null && earliest - now() < NEAR_DEADLINE_MS) {
      const left = earliest - now();
      const when = left <= 0 ? 'past its deadline' : `${Math.floor(left / 3600_000)} h ${Math.floor((left % 3600_000) / 60_000)} min before its deadline`;
      throw new Error(`records near the İYS deadline: the most urgent of ${summary.count} pending is ${when} (${new Date(earliest).toISOString()})`);
    }
  });
  if (opts.readback) {
    health.addCheck('confirmation', async () => {
      let unseen: number;
      try {
        unseen = await opts.store.unseenCount();
      } catch {
        return; // the `store` check reports a ledger that fails
      }
      if (unseen > 0) {
        throw new Error(`${unseen} record(s) accepted by iletiMerkezi are not visible in İYS after IYS_CONFIRM_WITHIN_MS: sent again while their deadline allows (the lookup and the export show them)`);
      }
    });
  }
  return health;
}
