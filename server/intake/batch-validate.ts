import { batchRecordSchema } from '../../shared/consent-body.ts';
import { iysRecordSchema, type IysRecord } from '../../shared/iys-record.ts';
import { toFieldIssues, type FieldIssue } from '../../shared/issues.ts';
import { intakeDateIssue } from '../../shared/sendability.ts';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { NewRecord } from '../stores/store.ts';
import { evidenceOf } from './evidence.ts';
import { checkRecipient } from './recipient-check.ts';

/**
 * The one validation of server-to-server records, shared by POST /v1/consents/batch and the
 * import command: the batch schema, the collector's recipient check (normaliser + allocated ranges),
 * every İYS rule of one record, then its date judged at `now`: only what the dispatcher can still
 * send in time is taken (sendability.ts).
 */

export type RecordVerdict = { ok: true; record: IysRecord; rawRecipient: string } | { ok: false; issues: FieldIssue[] };

/** When and how a batch is judged; ip, userAgent and origin are kept as evidence on each record. */
export type BatchContext = {
  nowMs: number;
  /** What the dispatcher needs before a record's last sending moment (sendability.ts, intakeHeadroomMs). */
  headroomMs: number;
  ip?: string | null;
  userAgent?: string | null;
  origin?: string | null;
};

export function validateBatchRecord(raw: unknown, ctx: Pick<BatchContext, 'nowMs' | 'headroomMs'>): RecordVerdict {
  const parsed = batchRecordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: toFieldIssues(parsed.error) };
  const recipient = checkRecipient(parsed.data.recipient);
  if (!recipient.ok) return { ok: false, issues: [{ path: 'recipient', message: recipient.message }] };
  const checked = iysRecordSchema.safeParse({ ...parsed.data, recipient: recipient.value });
  if (!checked.success) return { ok: false, issues: toFieldIssues(checked.error) };
  const dateIssue = intakeDateIssue(checked.data.source, parseTurkeyTime(checked.data.consentDate)!, ctx.nowMs, ctx.headroomMs);
  if (dateIssue) return { ok: false, issues: [{ path: 'consentDate', message: dateIssue }] };
  return { ok: true, record: checked.data, rawRecipient: parsed.data.recipient };
}

export type BadRecord = { index: number; issues: FieldIssue[] };
export type BatchVerdict = { ok: true; records: NewRecord[] } | { ok: false; bad: BadRecord[] };

/** All or nothing: every bad record is named, and none is returned for storing while any is bad. */
export function validateBatch(raws: readonly unknown[], ctx: BatchContext): BatchVerdict {
  const checked: BatchCheck = { valid: [], bad: [] };
  checkRange(raws, 0, raws.length, ctx, checked);
  return checked.bad.length > 0 ? { ok: false, bad: checked.bad } : { ok: true, records: checked.valid.map((v) => v.record) };
}

/** Every record checked on its own: the good ones with their index (for the state rules), the bad ones named. */
export type BatchCheck = { valid: { index: number; record: NewRecord }[]; bad: BadRecord[] };

/**
 * Records checked per turn of the event loop. A 20 000-record batch takes about half a second to
 * check (libphonenumber does most of it); in slices of this size the widget's posts are answered
 * in between instead of waiting for the whole batch.
 */
export const BATCH_CHUNK = 1000;

/** validateBatch's checks, yielding to the event loop (setImmediate) between chunks; reports progress after each. */
export async function checkBatchInChunks(
  raws: readonly unknown[],
  ctx: BatchContext,
  opts: { chunk?: number; onProgress?: (checked: number, total: number) => void } = {},
): Promise<BatchCheck> {
  const chunk = opts.chunk ?? BATCH_CHUNK;
  const checked: BatchCheck = { valid: [], bad: [] };
  for (let from = 0; from < raws.length; from += chunk) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    const to = Math.min(from + chunk, raws.length);
    checkRange(raws, from, to, ctx, checked);
    opts.onProgress?.(to, raws.length);
  }
  return checked;
}

function checkRange(raws: readonly unknown[], from: number, to: number, ctx: BatchContext, out: BatchCheck): void {
  const arrival = { ...ctx, receivedAt: ctx.nowMs };
  for (let index = from; index < to; index++) {
    const v = validateBatchRecord(raws[index], ctx);
    if (!v.ok) {
      out.bad.push({ index, issues: v.issues });
      continue;
    }
    const facts = { rawRecipient: v.rawRecipient, clientConsentDate: v.record.consentDate, channels: v.record.type };
    out.valid.push({ index, record: { record: v.record, evidence: evidenceOf(facts, arrival) } });
  }
}
