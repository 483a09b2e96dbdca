import { maskRecipient } from '../../shared/recipient.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import type { PendingVerification, VerificationEvidence } from '../../shared/verification.ts';
import type { Logger } from '../log/logger.ts';
import type { SmsSender } from '../iletimerkezi/sms-client.ts';
import type { ConsentStore, NewRecord } from '../stores/store.ts';
import type { Verification } from '../stores/verification-store.ts';
import { codeMatches, hashCode, newCode, newVerificationId } from './verification-code.ts';
import { createSmsCaps, type SmsCap, type SmsCapsConfig } from './sms-caps.ts';

/**
 * The SMS code double opt-in, from the consent post to the records: hold the consent (durably, as a
 * verification, never a record the dispatcher could claim), send the code within the caps, take the
 * right code within its lifetime and so many tries, and only then make the records, pending for İYS.
 * Neither the code nor the full number is ever logged.
 */
export type VerificationFlowConfig = SmsCapsConfig & { sender: string | null; codeTtlS: number; maxAttempts: number };

/** What /metrics counts (observability/verification-metrics.ts). */
export type VerificationMetrics = {
  smsSent(ok: boolean): void;
  smsRefused(cap: SmsCap): void;
  ended(outcome: 'verified' | 'wrong-code' | 'locked' | 'expired'): void;
};

export type VerificationDeps = {
  config: VerificationFlowConfig;
  store: Pick<ConsentStore, 'verifications'>;
  /** The send-sms client; a getter, as the runtime makes it once the server listens (the sandbox's URL). */
  sms: () => SmsSender | null;
  logger: Logger;
  now?: () => number;
  metrics?: VerificationMetrics;
};

export type StartResult =
  | { kind: 'started'; verification: PendingVerification }
  /** The same consent posted again (same idempotency key) after it was verified: its records. */
  | { kind: 'verified'; ids: string[] }
  | { kind: 'capped'; cap: SmsCap; retryAfterS: number }
  | { kind: 'send-failed' }
  /** The same consent posted again after its verification ended unverified (expired, locked, send-failed). */
  | { kind: 'ended'; state: Verification['state'] };

export type CheckResult =
  | { kind: 'verified'; ids: string[] }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'not-found' }
  | { kind: 'ended'; state: Verification['state'] };

export const EXPIRED_REASON = 'the code was not typed within its lifetime: nothing was sent to İYS';
const LOCKED_REASON = 'too many wrong codes: nothing was sent to İYS';

/** A Turkish mobile number, the only kind an SMS reaches. */
export const isMobile = (recipient: string): boolean => /^\+905\d{9}$/.test(recipient);

export function createVerificationFlow(deps: VerificationDeps) {
  const { config, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const caps = createSmsCaps(config, now);
  const verifications = () => store.verifications();

  const pendingView = (v: Verification): PendingVerification => ({
    id: v.id,
    method: 'sms',
    sentTo: maskRecipient(v.recipient),
    expiresAt: new Date(v.expiresAt).toISOString(),
    attemptsLeft: Math.max(0, config.maxAttempts - v.attempts),
  });

  /** The answer to a post whose idempotency key a verification holds already: what became of it, never a code step that cannot end well. */
  const answerFor = (v: Verification): StartResult => {
    if (v.state === 'verified') return { kind: 'verified', ids: v.recordIds };
    if (v.state === 'awaiting-verification') return { kind: 'started', verification: pendingView(v) };
    return { kind: 'ended', state: v.state };
  };

  async function start(records: NewRecord[], idempotencyKey: string | null, ip: string, log: Logger): Promise<StartResult> {
    const first = records[0]!;
    const recipient = first.record.recipient;
    if (idempotencyKey !== null) {
      // The widget's outbox sends a post again until it is answered: the same consent, not a second code.
      const seen = await verifications().byIdempotencyKey(idempotencyKey);
      if (seen) return answerFor(seen);
    }
    const decision = caps.take(recipient, ip);
    if (!decision.ok) {
      deps.metrics?.smsRefused(decision.cap);
      log.warn({ event: 'verification.capped', cap: decision.cap, recipient: maskRecipient(recipient), retryAfterS: decision.retryAfterS }, `verification code refused: the ${decision.cap} cap is reached`);
      return { kind: 'capped', cap: decision.cap, retryAfterS: decision.retryAfterS };
    }
    const t = now();
    const id = newVerificationId();
    const code = newCode();
    const v = {
      id, recipient, channels: first.evidence.channels, idempotencyKey: idempotencyKey ?? id, records,
      codeHash: hashCode(code), createdAt: t, expiresAt: t + config.codeTtlS * 1000,
    };
    try {
      await verifications().create(v);
    } catch (err) {
      // The same post twice at once: the other one holds the key (its unique index) and sends the code.
      const other = idempotencyKey === null ? null : await verifications().byIdempotencyKey(idempotencyKey);
      if (!other) throw err;
      return answerFor(other);
    }
    const sender = deps.sms();
    const sent = sender ? await sender.send(recipient, smsText(code, first)) : { ok: false as const, reason: 'no send-sms client' };
    deps.metrics?.smsSent(sent.ok);
    if (!sent.ok) {
      await verifications().finish(id, { state: 'send-failed', reason: sent.reason, at: now() });
      log.error({ event: 'verification.send-failed', verificationId: id, recipient: maskRecipient(recipient), reason: sent.reason }, 'the verification code could not be sent');
      return { kind: 'send-failed' };
    }
    await verifications().markSent(id, now(), sent.messageId);
    log.info({ event: 'verification.sent', verificationId: id, recipient: maskRecipient(recipient), channels: v.channels, messageId: sent.messageId }, 'consent held: verification code sent');
    return { kind: 'started', verification: pendingView({ ...v, state: 'awaiting-verification', reason: null, attempts: 0, sentAt: t, messageId: sent.messageId, verifiedAt: null, recordIds: [] }) };
  }

  async function check(id: string, code: string, log: Logger): Promise<CheckResult> {
    const v = await verifications().get(id);
    if (!v) return { kind: 'not-found' };
    if (v.state === 'verified') return codeMatches(code, v.codeHash) ? { kind: 'verified', ids: v.recordIds } : { kind: 'ended', state: v.state };
    if (v.state !== 'awaiting-verification') return { kind: 'ended', state: v.state };
    const t = now();
    if (t >= v.expiresAt) {
      if (await verifications().finish(id, { state: 'expired', reason: EXPIRED_REASON, at: t })) deps.metrics?.ended('expired');
      return { kind: 'ended', state: 'expired' };
    }
    const attempts = await verifications().countAttempt(id);
    if (attempts === null) return { kind: 'ended', state: (await verifications().get(id))?.state ?? 'expired' };
    const masked = maskRecipient(v.recipient);
    // Codes typed at once are each counted before any of them locks the row: only the first
    // maxAttempts counted are compared, so a flood of guesses gets no more tries than one person.
    const tooMany = attempts > config.maxAttempts;
    if (tooMany || !codeMatches(code, v.codeHash)) {
      if (attempts >= config.maxAttempts) {
        // Counted once: the other codes of a flood find it ended already (locked, or verified by a right code counted earlier).
        if (!(await verifications().finish(id, { state: 'locked', reason: LOCKED_REASON, at: t }))) {
          return { kind: 'ended', state: (await verifications().get(id))?.state ?? 'locked' };
        }
        deps.metrics?.ended('locked');
        log.warn({ event: 'verification.locked', verificationId: id, recipient: masked, attempts }, 'verification locked: too many wrong codes');
        return { kind: 'ended', state: 'locked' };
      }
      deps.metrics?.ended('wrong-code');
      log.info({ event: 'verification.wrong-code', verificationId: id, recipient: masked, attempts }, 'a wrong verification code');
      return { kind: 'wrong', attemptsLeft: config.maxAttempts - attempts };
    }
    // The row's transition and the records in one transaction: the expiry sweep (or a twin request)
    // ending the row since it was read leaves no records behind, and the answer is what the row says.
    const ids = await verifications().verify(id, t, verifiedRecords(v, t, attempts), v.idempotencyKey);
    if (ids === null) {
      const ended = await verifications().get(id);
      if (ended?.state === 'verified') return { kind: 'verified', ids: ended.recordIds };
      return { kind: 'ended', state: ended?.state ?? 'expired' };
    }
    deps.metrics?.ended('verified');
    log.info({ event: 'verification.verified', verificationId: id, recipient: masked, attempts, ids }, 'consent verified: records pending for İYS');
    return { kind: 'verified', ids };
  }

  /** Housekeeping: verifications past their code's lifetime end as `expired`, never reaching İYS. */
  async function expire(log: Logger): Promise<number> {
    const n = await verifications().expireDue(now(), EXPIRED_REASON);
    for (let i = 0; i < n; i++) deps.metrics?.ended('expired');
    if (n > 0) log.info({ event: 'verification.expired', count: n }, `${n} unverified consent(s) expired: nothing was sent to İYS`);
    return n;
  }

  return { start, check, expire, caps };
}
export type VerificationFlow = ReturnType<typeof createVerificationFlow>;

/**
 * The records as İYS gets them: consentDate is the verification moment, when the consent is proven
 * (docs/contract.md, "SMS verification"); the click's own date stays in the evidence.
 */
export function verifiedRecords(v: Verification, verifiedAt: number, attempts: number): NewRecord[] {
  const consentDate = formatTurkeyTime(verifiedAt);
  return v.records.map((n) => {
    const verification: VerificationEvidence = {
      id: v.id, method: 'sms', sentAt: v.sentAt ?? v.createdAt, verifiedAt, attempts, messageId: v.messageId, clickConsentDate: n.record.consentDate,
    };
    return { ...n, record: { ...n.record, consentDate }, evidence: { ...n.evidence, verification } };
  });
}

/** The message: the site it is for (its origin's host) and the code, in the notice's language. */
export function smsText(code: string, first: NewRecord): string {
  const origin = first.evidence.origin;
  const site = origin && URL.canParse(origin) ? new URL(origin).host : null;
  if (first.evidence.noticeLang === 'en') return `${site ? `${site}: ` : ''}your consent code is ${code}. Do not share it.`;
  return `${site ? `${site}: ` : ''}ileti izni doğrulama kodunuz ${code}. Kimseyle paylaşmayın.`;
}
