import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RECORD_STATES } from '../../shared/enums.ts';
import { DEADLINE_MS } from '../../shared/turkey-time.ts';
import { AGE_WARNINGS_MS, ageOf } from '../dispatch/deadline.ts';
import type { OutcomeKind } from '../iletimerkezi/outcome.ts';
import type { ConsentStore } from '../stores/store.ts';
import type { Reachability } from './iys-reachability.ts';

/**
 * The collector's Prometheus metrics, in a Registry of its own (never prom-client's global one,
 * so two apps in one process, as in tests, do not share counters). Gauges that describe the ledger
 * are read from the store at scrape time; counters and histograms are fed by the collector and
 * the dispatcher through the observe* functions.
 */

export type PauseStatus = { paused: boolean; reason?: string | null };

export type MetricsSources = {
  store?: Pick<ConsentStore, 'countByState' | 'pendingSummary' | 'ping'>;
  /** Whether the dispatcher has paused sending, and why (e.g. "401", "quota"). */
  pauseStatus?: () => PauseStatus;
  /** Whether iletiMerkezi answers the dispatcher's requests (iys-reachability.ts). */
  reachability?: () => Reachability;
  now?: () => number;
};

export type Metrics = {
  registry: Registry;
  /** The store and dispatcher are often made after the metrics (they call observe*): attach them then. */
  attach(sources: MetricsSources): void;
  /** One accepted POST (ingest): time from request to committed records. */
  observeIngest(ms: number): void;
  /** One request to iletiMerkezi: its outcome class, how many records it held, how long it took (when known). */
  observeRequest(outcome: OutcomeKind, batchSize: number, ms?: number): void;
  /** One record registered: time from the collector receiving it to İYS holding it. */
  observeDispatch(ms: number): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  contentType: string;
};

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Up to the warning ages and the deadline itself: how close registration comes to it.
const DISPATCH_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, ...AGE_WARNINGS_MS.map((ms) => ms / 1000), DEADLINE_MS / 1000];
const BATCH_BUCKETS = [1, 2, 5, 10, 50, 100, 500, 1000, 2500, 5000];

export function createMetrics(initial: MetricsSources = {}): Metrics {
  const registry = new Registry();
  let sources: MetricsSources = { ...initial };
  const now = () => (sources.now ?? Date.now)();

  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'iys_store_up',
    help: '1 when the store answers a ping at scrape time, 0 when it does not',
    registers: [registry],
    async collect() {
      if (!sources.store) return;
      try {
        await sources.store.ping();
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });

  new Gauge({
    name: 'iys_records',
    help: 'Records in the ledger by state (pending, registered, rejected, expired)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!sources.store) return;
      try {
        const counts = await sources.store.countByState();
        for (const state of RECORD_STATES) this.set({ state }, counts[state] ?? 0);
      } catch {
        // iys_store_up says the store is down; the last known counts stay.
      }
    },
  });

  new Gauge({
    name: 'iys_oldest_pending_age_seconds',
    help: 'Age since consentDate of the pending record closest to its İYS deadline (which is 72 h after consentDate); 0 when none is pending',
    registers: [registry],
    async collect() {
      if (!sources.store) return;
      try {
        // From consentDate, not from receipt: a batch record may arrive with 60 of its 72 hours gone.
        // The same figure as the dispatcher's status().oldestPendingAgeMs.
        const s = await sources.store.pendingSummary();
        this.set(s.earliestDeadlineAt === null ? 0 : Math.max(0, ageOf({ deadlineAt: s.earliestDeadlineAt }, now()) / 1000));
      } catch {
        // iys_store_up reports the failure; the last known age stays.
      }
    },
  });

  new Gauge({
    name: 'iys_sending_paused',
    help: '1 while the dispatcher has paused sending to iletiMerkezi, with the reason as a label',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const status = sources.pauseStatus?.();
      if (!status) return;
      if (status.paused) this.set({ reason: status.reason ?? 'unknown' }, 1);
      else this.set({ reason: '' }, 0);
    },
  });

  new Gauge({
    name: 'iys_iletimerkezi_reachable',
    help: '0 once requests to iletiMerkezi have had no answer (refused connection, DNS failure, timeout) for more than 30 s; 1 otherwise',
    registers: [registry],
    collect() {
      const status = sources.reachability?.();
      if (status) this.set(status.reachable ? 1 : 0);
    },
  });

  const requests = new Counter({
    name: 'iys_iletimerkezi_requests_total',
    help: 'Requests to iletiMerkezi consent/create by outcome (accepted, records-refused, account, transient, ambiguous, too-many)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'iys_iletimerkezi_request_duration_seconds',
    help: 'Duration of requests to iletiMerkezi consent/create',
    labelNames: ['outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'iys_iletimerkezi_batch_size',
    help: 'Records per request to iletiMerkezi (1-5000)',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: 'iys_ingest_duration_seconds',
    help: 'Time from receiving a consent post to answering it with its records committed',
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const dispatchSeconds = new Histogram({
    name: 'iys_dispatch_latency_seconds',
    help: 'Time from the collector receiving a record to its registration with İYS',
    buckets: DISPATCH_BUCKETS,
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    attach(more) {
      sources = { ...sources, ...more };
    },
    observeIngest(ms) {
      ingestSeconds.observe(ms / 1000);
    },
    observeRequest(outcome, size, ms) {
      requests.inc({ outcome });
      if (ms !== undefined) requestSeconds.observe({ outcome }, ms / 1000);
      batchSize.observe(size);
    },
    observeDispatch(ms) {
      dispatchSeconds.observe(Math.max(0, ms) / 1000);
    },
    render: () => registry.metrics(),
  };
}
