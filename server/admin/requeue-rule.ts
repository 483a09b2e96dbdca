import { iysRecordSchema } from '../../shared/iys-record.ts';
import { judgeTransition } from '../../shared/state-rules.ts';
import { DEADLINE_HOURS, formatTurkeyTime } from '../../shared/turkey-time.ts';
import { SEND_MARGIN_MS, intakeHeadroomMs, whyUnsendable } from '../../shared/sendability.ts';
import type { LatestRecord, NewRecord, StoredRecordWithEvidence } from '../stores/store.ts';

/**
 * Re-queuing a rejected or expired record once its cause is fixed (a wrong brand code, a quota, a
 * refused number put right): a NEW pending record with the same İYS fields and evidence that names
 * the old one (requeue_of); the old row is never touched. Refused, with the reason, when the
 * re-queued record could not be registered: a record that is not rejected or expired, one already
 * re-queued, one İYS's rules would refuse after what the ledger holds for its key, or one too close
 * to its 72-hour deadline, which runs from the original consentDate (the consent happened then).
 */

export type RequeueVerdict =
  | { ok: true; record: NewRecord }
  | { ok: false; status: 404 | 409 | 422; code: 'not-found' | 'not-requeueable' | 'requeue-refused'; reason: string };

export function judgeRequeue(opts: {
  id: string;
  /** Every record of the recipient of `id` (byRecipient), so re-queues of it are seen. */
  records: readonly StoredRecordWithEvidence[];
  /** What İYS holds or will hold for the record's key: store.latestOfKeys([keyOf(old)]). */
  latest: LatestRecord | undefined;
  now: number;
  flushMs: number;
}): RequeueVerdict {
  const old = opts.records.find((r) => r.id === opts.id);
  if (!old) return { ok: false, status: 404, code: 'not-found', reason: `no record ${opts.id}` };
  if (old.state !== 'rejected' && old.state !== 'expired') {
    return { ok: false, status: 409, code: 'not-requeueable', reason: `only a rejected or expired record is re-queued; this one is ${old.state}` };
  }
  const again = opts.records.find((r) => r.requeueOf === old.id);
  if (again) {
    return { ok: false, status: 409, code: 'not-requeueable', reason: `already re-queued as ${again.id} (${again.state}); if that one failed too, re-queue it instead` };
  }
  const { recipient, recipientType, type, status, source, consentDate } = old;
  const fields = iysRecordSchema.safeParse({ recipient, recipientType, type, status, source, consentDate });
  if (!fields.success) {
    return { ok: false, status: 422, code: 'requeue-refused', reason: `İYS would refuse it: ${fields.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  // The one sendability rule with intake's headroom (the flush window and a pass): the re-queued record never expires unsent.
  if (whyUnsendable(old, opts.now, intakeHeadroomMs(opts.flushMs)) !== null) {
    return {
      ok: false, status: 422, code: 'requeue-refused',
      reason: `the consent was given at ${consentDate} (Turkey time) and İYS takes it only within ${DEADLINE_HOURS} hours, until ${formatTurkeyTime(old.deadlineAt)}; ` +
        `the dispatcher sends nothing within ${SEND_MARGIN_MS / 60_000} minutes of that, so it could no longer be registered in time`,
    };
  }
  const verdict = judgeTransition(opts.latest ? { status: opts.latest.status, consentDate: opts.latest.consentDate } : undefined, old);
  if (verdict.verdict !== 'allowed') {
    const after = opts.latest ? ` after the ledger's ${opts.latest.state} ${opts.latest.status} record ${opts.latest.id} (${opts.latest.consentDate})` : '';
    return { ok: false, status: 422, code: 'requeue-refused', reason: `İYS would refuse it${after}: ${verdict.reason}` };
  }
  const record: NewRecord = { record: fields.data, evidence: { ...old.evidence, receivedAt: opts.now }, requeueOf: old.id };
  return { ok: true, record };
}
