import { Counter, Gauge } from 'prom-client';
import type { ReadbackEvent } from '../readback/events.ts';
import type { ConsentStore } from '../stores/store.ts';
import type { Metrics } from './metrics.ts';

/**
 * Read-back's metrics, on the collector's registry: look-ups by purpose and outcome, differences
 * between İYS and the ledger by kind (drift), lost requests settled by method, confirmations, and the
 * records flagged unseen (a gauge read from the ledger at scrape time). Returns the lane's onEvent.
 */
export function readbackMetrics(metrics: Metrics, store: Pick<ConsentStore, 'unseenCount'>): (e: ReadbackEvent) => void {
  const registers = [metrics.registry];
  const lookups = new Counter({
    name: 'iys_readback_lookups_total',
    help: 'Look-ups in İYS (iletiMerkezi consent/show) by purpose (doubt, refusal, confirmation, verification, sweep) and outcome (found, none, account, transient, unreadable)',
    labelNames: ['purpose', 'outcome'] as const,
    registers,
  });
  const drift = new Counter({
    name: 'iys_drift_total',
    help: 'Differences found between İYS and the ledger: status (İYS holds the other status, e.g. a citizen RET), record (the same status from a record made elsewhere), missing (a registered record İYS does not show after IYS_CONFIRM_WITHIN_MS)',
    labelNames: ['kind'] as const,
    registers,
  });
  const doubts = new Counter({
    name: 'iys_doubt_resolved_total',
    help: 'Lost requests (no answer to consent/create) settled, by method: read-back (İYS read) or inference (read-back unavailable)',
    labelNames: ['method'] as const,
    registers,
  });
  const confirmed = new Counter({
    name: 'iys_confirmed_records_total',
    help: 'Registered records İYS showed with the same status and consentDate (confirmedAt recorded)',
    registers,
  });
  new Gauge({
    name: 'iys_unseen_records',
    help: 'Registered records İYS did not show within IYS_CONFIRM_WITHIN_MS and whose re-sent copy is not confirmed yet',
    registers,
    async collect() {
      try {
        this.set(await store.unseenCount());
      } catch {
        // iys_store_up reports a ledger that fails; the last known count stays.
      }
    },
  });
  return (e) => {
    if (e.type === 'lookup') lookups.inc({ purpose: e.purpose, outcome: e.outcome });
    else if (e.type === 'drift') drift.inc({ kind: e.kind });
    else if (e.type === 'doubt-resolved') doubts.inc({ method: e.method });
    else if (e.type === 'confirmed') confirmed.inc(e.count);
  };
}
