import { batchRecordSchema } from '../../shared/consent-body.ts';
import { iysRecordSchemaAt, type IysRecord } from '../../shared/iys-record.ts';
import { toFieldIssues, type FieldIssue } from '../../shared/issues.ts';
import type { Evidence, NewRecord } from '../stores/store.ts';
import { checkRecipient } from '../phone.ts';

/**
 * The one validation of server-to-server records, shared by POST /v1/consents/batch and the
 * import command: the batch schema, the collector's recipient check (normaliser + allocated ranges), then every İYS rule judged at `now`.
 */

export type RecordVerdict = { ok: true; record: IysRecord; rawRecipient: string } | { ok: false; issues: FieldIssue[] };

export function validateBatchRecord(raw: unknown, nowMs: number, atNow: ReturnType<typeof iysRecordSchemaAt> = iysRecordSchemaAt(nowMs)): RecordVerdict {
  const parsed = batchRecordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: toFieldIssues(parsed.error) };
  const recipient = checkRecipient(parsed.data.recipient);
  if (!recipient.ok) return { ok: false, issues: [{ path: 'recipient', message: recipient.message }] };
  const checked = atNow.safeParse({ ...parsed.data, recipient: recipient.value });
  if (!checked.success) return { ok: false, issues: toFieldIssues(checked.error) };
  return { ok: true, record: checked.data, rawRecipient: parsed.data.recipient };
}

/** Where the records came from, kept as evidence on each. */
export type BatchContext = { nowMs: number; ip?: string | null; userAgent?: string | null; origin?: string | null };

export type BadRecord = { index: number; issues: FieldIssue[] };
export type BatchVerdict = { ok: true; records: NewRecord[] } | { ok: false; bad: BadRecord[] };

/** All or nothing: every bad record is named, and none is returned for storing while any is bad. */
export function validateBatch(raws: readonly unknown[], ctx: BatchContext): BatchVerdict {
  const records: NewRecord[] = [];
  const bad: BadRecord[] = [];
  // One schema for the whole batch: building it per record cost more than the checks themselves.
  const atNow = iysRecordSchemaAt(ctx.nowMs);
  raws.forEach((raw, index) => {
    const v = validateBatchRecord(raw, ctx.nowMs, atNow);
    if (!v.ok) bad.push({ index, issues: v.issues });
    else if (bad.length === 0) records.push({ record: v.record, evidence: batchEvidence(v.record, v.rawRecipient, ctx) });
  });
  return bad.length > 0 ? { ok: false, bad } : { ok: true, records };
}

function batchEvidence(record: IysRecord, rawRecipient: string, ctx: BatchContext): Evidence {
  return {
    rawRecipient,
    clientConsentDate: record.consentDate,
    receivedAt: ctx.nowMs,
    channels: record.type,
    noticeVersion: null,
    noticeHash: null,
    noticeLang: null,
    pageUrl: null,
    origin: ctx.origin ?? null,
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent ?? null,
    widgetVersion: null,
    idempotencyKey: null,
  };
}
