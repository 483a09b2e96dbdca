import type { IysRecord } from '../../shared/iys-record.ts';
import { keyOf } from '../../shared/iys-record.ts';
import type { RecordState } from '../../shared/enums.ts';
import { RECORD_STATES } from '../../shared/enums.ts';
import { DEADLINE_MS, parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { Attempt, AttemptOutcome, Doubt, Evidence, NewRecord, StoredRecord, StoredRecordWithEvidence } from './store.ts';

/**
 * The column layout both stores share, and the conversions between rows and domain objects.
 * PostgreSQL returns BIGINT as text, SQLite as number: every integer goes through num().
 */
export type RecordRow = {
  seq: number | string;
  id: string;
  key: string;
  recipient: string;
  recipient_type: string;
  type: string;
  status: string;
  source: string;
  consent_date: string;
  consent_ms: number | string;
  deadline_at: number | string;
  received_at: number | string;
  state: string;
  reason: string | null;
  attempts: number | string;
  registered_at: number | string | null;
  doubt: string | null;
  raw_recipient: string;
  client_consent_date: string | null;
  channels: string;
  notice_version: string | null;
  notice_hash: string | null;
  notice_lang: string | null;
  page_url: string | null;
  origin: string | null;
  ip: string | null;
  user_agent: string | null;
  widget_version: string | null;
  idempotency_key: string | null;
};

export type AttemptRow = {
  at: number | string;
  outcome: AttemptOutcome;
  code: number | string | null;
  message: string;
  batch_size: number | string;
};

/** The values of one new row, in INSERT_COLUMNS order. */
export const INSERT_COLUMNS = [
  'id', 'key', 'recipient', 'recipient_type', 'type', 'status', 'source', 'consent_date', 'consent_ms',
  'deadline_at', 'received_at', 'state', 'attempts', 'raw_recipient', 'client_consent_date', 'channels',
  'notice_version', 'notice_hash', 'notice_lang', 'page_url', 'origin', 'ip', 'user_agent', 'widget_version',
  'idempotency_key',
] as const;

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

/** One collector = one brand, so the key is stored without a brand code. */
export function recordKey(r: IysRecord): string {
  return keyOf(r);
}

export function insertValues(id: string, n: NewRecord, idempotencyKey: string | null): unknown[] {
  const { record: r, evidence: e } = n;
  const consentMs = parseTurkeyTime(r.consentDate);
  if (consentMs === undefined) throw new RangeError(`consentDate is not a Turkey time: ${JSON.stringify(r.consentDate)}`);
  return [
    id, recordKey(r), r.recipient, r.recipientType, r.type, r.status, r.source, r.consentDate, consentMs,
    consentMs + DEADLINE_MS, e.receivedAt, 'pending', 0, e.rawRecipient, e.clientConsentDate, e.channels,
    e.noticeVersion, e.noticeHash, e.noticeLang, e.pageUrl, e.origin, e.ip, e.userAgent, e.widgetVersion,
    idempotencyKey ?? e.idempotencyKey,
  ];
}

export function rowToRecord(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    recipient: row.recipient,
    recipientType: row.recipient_type as IysRecord['recipientType'],
    type: row.type as IysRecord['type'],
    status: row.status as IysRecord['status'],
    source: row.source as IysRecord['source'],
    consentDate: row.consent_date,
    state: row.state as RecordState,
    deadlineAt: num(row.deadline_at),
    receivedAt: num(row.received_at),
    attempts: num(row.attempts),
    reason: row.reason,
    registeredAt: numOrNull(row.registered_at),
    doubt: row.doubt as Doubt | null,
  };
}

export function rowToEvidence(row: RecordRow): Evidence {
  return {
    rawRecipient: row.raw_recipient,
    clientConsentDate: row.client_consent_date,
    receivedAt: num(row.received_at),
    channels: row.channels,
    noticeVersion: row.notice_version,
    noticeHash: row.notice_hash,
    noticeLang: row.notice_lang,
    pageUrl: row.page_url,
    origin: row.origin,
    ip: row.ip,
    userAgent: row.user_agent,
    widgetVersion: row.widget_version,
    idempotencyKey: row.idempotency_key,
  };
}

export function rowToRecordWithEvidence(row: RecordRow): StoredRecordWithEvidence {
  return { ...rowToRecord(row), evidence: rowToEvidence(row) };
}

export function rowToAttempt(row: AttemptRow): Attempt {
  return {
    at: num(row.at),
    outcome: row.outcome,
    code: numOrNull(row.code),
    message: row.message,
    batchSize: num(row.batch_size),
  };
}

/** One `sending` line of a lost request (lostRequestsOf). */
export type LostRow = { request_id: string; record_id: string };

/** Request id → the records it carried, from lostRequestsOf's rows. */
export function groupLost(rows: LostRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.request_id, [...(out.get(r.request_id) ?? []), r.record_id]);
  return out;
}

export function emptyStateCounts(): Record<RecordState, number> {
  return Object.fromEntries(RECORD_STATES.map((s) => [s, 0])) as Record<RecordState, number>;
}

/** Rows of `SELECT state, COUNT(*) AS n … GROUP BY state` to a full record of counts. */
export function stateCounts(rows: { state: string; n: number | string }[]): Record<RecordState, number> {
  const counts = emptyStateCounts();
  for (const r of rows) counts[r.state as RecordState] = num(r.n);
  return counts;
}

export const numeric = num;
export const numericOrNull = numOrNull;
