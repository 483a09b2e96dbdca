import type { KeyBelief } from '../../shared/state-rules.ts';
import type { ConsentStatus, RecordState } from '../../shared/enums.ts';
import { RECORD_STATES } from '../../shared/enums.ts';
import type { AttemptOutcome, HourlyRequests, LatestRecord, PendingSummary, StoredRecord, StoredRecordWithEvidence } from './store.ts';
import { numeric, numericOrNull, rowToRecord, rowToRecordWithEvidence, type OutboxRow, type RecordRow } from './row-mapping.ts';

/**
 * What both stores make of their query rows: the ConsentStore answers, and the export's page loop.
 * Each adapter keeps only its SQL and its I/O; the logic between rows and answers lives here once.
 */

/**
 * exportRange's records, page by page. Keyset pagination on (received_at, seq): each page starts
 * after the last row of the one before, so a page costs the same however deep the export is.
 */
export async function* exportPages(
  fromMs: number,
  pageSize: number,
  page: (afterAt: number, afterSeq: number) => RecordRow[] | Promise<RecordRow[]>,
): AsyncIterable<StoredRecordWithEvidence> {
  let afterAt = fromMs - 1;
  let afterSeq = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = await page(afterAt, afterSeq);
    for (const row of rows) yield rowToRecordWithEvidence(row);
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    afterAt = numeric(last.received_at);
    afterSeq = numeric(last.seq);
  }
}

/** The claimed records, earliest deadline first: RETURNING gives no order guarantee. */
export function claimedInOrder(rows: OutboxRow[]): StoredRecord[] {
  return rows
    .sort((a, b) => numeric(a.deadline_at) - numeric(b.deadline_at) || numeric(a.seq) - numeric(b.seq))
    .map(rowToRecord);
}

export type BeliefRow = { key: string; status: ConsentStatus; consent_date: string };
export type LatestRow = BeliefRow & { id: string; state: LatestRecord['state'] };
export type LostRow = { request_id: string; record_id: string };
export type PendingSummaryRow = { count: number | string; oldest: number | string | null; earliest: number | string | null };

/** beliefs() from registered rows ordered newest first within each key: the first row of a key is the belief. */
export function beliefsOf(rows: BeliefRow[]): Map<string, KeyBelief> {
  const out = new Map<string, KeyBelief>();
  for (const r of rows) if (!out.has(r.key)) out.set(r.key, { status: r.status, consentDate: r.consent_date });
  return out;
}

/** latestOfKeys() from one row per key. */
export function latestOf(rows: LatestRow[]): Map<string, LatestRecord> {
  return new Map(rows.map((r) => [r.key, { id: r.id, status: r.status, consentDate: r.consent_date, state: r.state }]));
}

/** Request id → the records it carried, from lostRequestsOf's `sending` lines. */
export function groupLost(rows: LostRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.request_id, [...(out.get(r.request_id) ?? []), r.record_id]);
  return out;
}

/** Rows of `SELECT state, COUNT(*) AS n … GROUP BY state` to a full record of counts. */
export function stateCounts(rows: { state: string; n: number | string }[]): Record<RecordState, number> {
  const counts = Object.fromEntries(RECORD_STATES.map((s) => [s, 0])) as Record<RecordState, number>;
  for (const r of rows) counts[r.state as RecordState] = numeric(r.n);
  return counts;
}

/** pendingSummary() from its one row of COUNT / MIN / MIN. */
export function pendingSummaryOf(row: PendingSummaryRow): PendingSummary {
  return { count: numeric(row.count), oldestReceivedAt: numericOrNull(row.oldest), earliestDeadlineAt: numericOrNull(row.earliest) };
}

export type HourlyRow = { hour: number | string; outcome: AttemptOutcome; requests: number | string; records: number | string };

/** requestsByHour() from its GROUP BY rows. */
export function hourlyOf(rows: HourlyRow[]): HourlyRequests[] {
  return rows.map((r) => ({ hourStart: numeric(r.hour), outcome: r.outcome, requests: numeric(r.requests), records: numeric(r.records) }));
}
