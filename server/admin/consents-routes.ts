import { Hono, type MiddlewareHandler } from 'hono';
import { recipientQuerySchema, type IysView, type RecipientRecords, type RecordView } from '../../shared/admin-api.ts';
import { maskRecipient, normaliseRecipient } from '../../shared/recipient.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { RequestIdEnv } from '../http/request-id.ts';
import { toFieldIssues } from '../../shared/issues.ts';
import { publicReason, type Attempt, type ConsentStore, type StoredRecordWithEvidence } from '../stores/store.ts';
import { errorResponse } from '../http/errors.ts';
import type { Verification } from '../stores/verification-store.ts';
import type { VerificationView } from '../../shared/verification.ts';

/** Read-back's verification on demand (readback/verify.ts); null while read-back is off. */
export type VerifyRecipient = (recipient: string) => Promise<IysView[]>;

/**
 * GET /v1/consents?recipient=… : every record of one recipient, with state, attempts and evidence;
 * with `verify=1`, İYS's current view of each recipient type and channel first (differences become
 * observed records, which the records then include).
 */
export function consentsRoutes(
  store: ConsentStore, auth: MiddlewareHandler, logger: Logger = silentLogger, verify: () => VerifyRecipient | null = () => null,
): Hono<RequestIdEnv> {
  return new Hono<RequestIdEnv>().get('/v1/consents', auth, async (c) => {
    const query = recipientQuerySchema.safeParse({ recipient: c.req.query('recipient') ?? '', verify: c.req.query('verify') });
    if (!query.success) return errorResponse(c, 422, 'invalid-query', 'the recipient is missing or verify is not 0 or 1', toFieldIssues(query.error));
    const recipient = normaliseRecipient(query.data.recipient);
    if (!recipient.ok) return errorResponse(c, 422, 'invalid-query', 'the recipient is not a phone number or e-mail address', [{ path: 'recipient', message: recipient.message }]);
    const verifier = query.data.verify === '1' ? verify() : null;
    if (query.data.verify === '1' && !verifier) return errorResponse(c, 409, 'readback-off', 'verify=1 reads İYS back, which is switched off (IYS_READBACK=0)');
    const iys = verifier ? await verifier(recipient.value) : undefined;

    const records = await store.byRecipient(recipient.value);
    const views = await Promise.all(records.map(async (r) => toRecordView(r, await store.attemptsOf(r.id))));
    // Who was looked up is itself audit-worthy; the recipient is masked like on every log line.
    ((c.get('log') as Logger | undefined) ?? logger).info({ event: 'admin.consents', recipient: maskRecipient(recipient.value), records: records.length }, 'admin looked up a recipient');
    const verifications = (await store.verifications().byRecipient(recipient.value)).map(toVerificationView);
    const body: RecipientRecords = { recipient: recipient.value, records: views, verifications, ...(iys ? { iys } : {}) };
    return c.json(body);
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** A verification as the lookup shows it: never its code hash, nor the records it holds until verified. */
export function toVerificationView(v: Verification): VerificationView {
  return {
    id: v.id, state: v.state, reason: v.reason, channels: v.channels, createdAt: iso(v.createdAt), sentAt: isoOrNull(v.sentAt),
    expiresAt: iso(v.expiresAt), verifiedAt: isoOrNull(v.verifiedAt), attempts: v.attempts, messageId: v.messageId, recordIds: v.recordIds,
  };
}

function checkView(r: StoredRecordWithEvidence): NonNullable<RecordView['check']> {
  return {
    state: r.checkState ?? 'pending',
    ...(r.checkedAt !== null ? { checkedAt: iso(r.checkedAt) } : {}),
    ...(r.checkNote !== null ? { note: r.checkNote } : {}),
  };
}

function extrasOf(json: string | null): { iys?: Record<string, unknown> } {
  if (json === null) return {};
  try {
    return { iys: JSON.parse(json) as Record<string, unknown> };
  } catch {
    return {};
  }
}

export function toRecordView(r: StoredRecordWithEvidence, attempts: Attempt[]): RecordView {
  const { receivedAt, ...evidence } = r.evidence;
  const reason = publicReason(r);
  return {
    id: r.id,
    type: r.type,
    recipientType: r.recipientType,
    status: r.status,
    source: r.source,
    consentDate: r.consentDate,
    state: r.state,
    ...(reason !== null ? { reason } : {}),
    attempts: r.attempts,
    ...(r.registeredAt !== null ? { registeredAt: iso(r.registeredAt) } : {}),
    ...(r.confirmedAt !== null ? { confirmedAt: iso(r.confirmedAt) } : {}),
    ...(r.state === 'registered' ? { check: checkView(r) } : {}),
    ...(r.observedBy !== null && r.drift !== null ? { observed: { by: r.observedBy, drift: r.drift, ...extrasOf(r.iysExtras) } } : {}),
    ...(r.requeueOf !== null ? { requeueOf: r.requeueOf } : {}),
    deadlineAt: iso(r.deadlineAt),
    evidence: { ...evidence, receivedAt: iso(receivedAt) },
    attemptLog: attempts.map((a) => ({ ...a, at: iso(a.at) })),
  };
}
