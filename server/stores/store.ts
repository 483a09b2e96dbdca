import type { KeyBelief } from '../../shared/state-rules.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import type { ConsentStatus, RecordState } from '../../shared/enums.ts';
import type { CheckState, DriftKind, Observer, ReadbackStore } from './check-fields.ts';

export { CHECK_STATES, DRIFT_KINDS, OBSERVERS, UNCHECKED } from './check-fields.ts';
export type { CheckMark, CheckState, DriftKind, Observer, ReadbackFigures } from './check-fields.ts';
import type { VerificationEvidence, VerificationState } from '../../shared/verification.ts';
import type { ProofStore } from './proof-store.ts';

/**
 * The ledger. One interface, two adapters (sqlite-store.ts, postgres-store.ts), one contract suite
 * (test/integration/store-contract.test.ts) run against both. Every record row is also the
 * dispatcher's outbox row. Records are never deleted or rewritten: a withdrawal is a new RET record.
 */

/**
 * Why İYS may already hold a record the ledger still has pending, kept as data beside the record
 * so it outlives the process that saw it:
 * - `sending`: a request carrying it went out and no answer is recorded yet (a crash leaves this);
 * - `lost`: a request carrying it got no answer, and nothing has shown that request unstored;
 * - `stored`: İYS holds it (an accepted answer, or judged stored), but the state write did not follow
 *   (left by collectors that wrote the two apart; markRegistered with its line writes them together).
 * Settled records (registered, rejected, expired) carry none.
 */
export const DOUBTS = ['sending', 'lost', 'stored'] as const;
export type Doubt = (typeof DOUBTS)[number];

/**
 * How a consent's posted notice compares with the registered texts (the notice registry):
 * `matched` its hash is a registered text's (`noticeRegistered` names the version); `unmatched` it
 * names a text no registered one hashes to (or carries no hash); `no-notice` it posted none.
 */
export const NOTICE_MATCHES = ['matched', 'unmatched', 'no-notice'] as const;
export type NoticeMatch = (typeof NOTICE_MATCHES)[number];

/**
 * The outcome of an attempt line: `sending` before a request goes out, then the client's outcome
 * class of its answer (iletimerkezi/outcome.ts), or `resolved` when the dispatcher settled a record
 * in doubt without a request of its own.
 */
export const ATTEMPT_OUTCOMES = ['sending', 'accepted', 'records-refused', 'too-many', 'account', 'transient', 'ambiguous', 'resolved'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
/** Attempt lines that are no answer from iletiMerkezi: a request going out, a doubt resolved without one. */
export const UNANSWERED_OUTCOMES = ['sending', 'resolved'] as const satisfies readonly AttemptOutcome[];
/** The bucket of requestsByHour(). */
export const HOUR_MS = 3_600_000;

/** Audit evidence kept with each record, as the collector saw the request. */
export type Evidence = {
  rawRecipient: string;
  /** The consentDate the client sent, kept even when the server's receive time replaced it. */
  clientConsentDate: string | null;
  /** Epoch ms when the collector received the request. */
  receivedAt: number;
  /** All channels ticked in the one action that made this record (e.g. "MESAJ ARAMA"). */
  channels: string;
  noticeVersion: string | null;
  noticeHash: string | null;
  noticeLang: string | null;
  pageUrl: string | null;
  origin: string | null;
  ip: string | null;
  userAgent: string | null;
  widgetVersion: string | null;
  idempotencyKey: string | null;
  /** The SMS code the person typed to prove the number is theirs; absent for a consent without one. */
  verification?: VerificationEvidence;
  /** Judged by the collector against the registered texts; null where nothing was judged (batches, older records). */
  noticeMatch: NoticeMatch | null;
  /** The registered version the notice hash matched. */
  noticeRegistered: string | null;
  /** Arrival minus the signed form token's issue time, ms; null without a token. */
  formTokenAgeMs: number | null;
};

export type NewRecord = {
  record: IysRecord;
  evidence: Evidence;
  /** The rejected or expired record this one is re-queued for (the console's re-queue); absent for a new consent. */
  requeueOf?: string;
  /**
   * A record İYS showed that the collector did not send: stored as `registered` (İYS holds it) and
   * confirmed at `at`, never dispatched. Its source may be İYS's own (IYS_*).
   */
  observed?: { by: Observer; drift: Exclude<DriftKind, 'missing'>; at: number; extras: Record<string, unknown> };
};


/** A record as the ledger holds it. Times are epoch ms. */
export type StoredRecord = IysRecord & {
  id: string;
  state: RecordState;
  /** consentDate + 72 h. */
  deadlineAt: number;
  receivedAt: number;
  attempts: number;
  /** Why a record is rejected or expired; the last answer otherwise. */
  reason: string | null;
  registeredAt: number | null;
  /** Null unless İYS may hold the pending record already (see DOUBTS). */
  doubt: Doubt | null;
  /** The rejected or expired record this one was re-queued for; null for a consent as it came in. */
  requeueOf: string | null;
  /** When a look-up first showed İYS holding it exactly (read-back); null until then. */
  confirmedAt: number | null;
  /** The last look-up of the record's key; null when never looked up. */
  checkedAt: number | null;
  checkState: CheckState | null;
  /** What the last look-up found when it did not confirm (İYS's record, the flag's reason). */
  checkNote: string | null;
  /** Set on a record İYS showed that the collector did not send (never dispatched); null otherwise. */
  observedBy: Observer | null;
  drift: Exclude<DriftKind, 'missing'> | null;
  /** İYS's further fields of an observed record (creationDate, …), as JSON; null otherwise. */
  iysExtras: string | null;
};

/** A key's latest live record, as latestOfKeys() reports it. */
export type LatestRecord = { id: string; status: ConsentStatus; consentDate: string; state: 'pending' | 'registered' };

/**
 * The reason the public views show: why a record was rejected or expired. For pending and
 * registered records the column holds the dispatcher's last answer (its bookkeeping), not a reason.
 */
export function publicReason(r: Pick<StoredRecord, 'state' | 'reason'>): string | null {
  return r.state === 'rejected' || r.state === 'expired' ? r.reason : null;
}

export type StoredRecordWithEvidence = StoredRecord & { evidence: Evidence };

/** How many records are pending, the earliest receive time and the earliest deadline among them. */
export type PendingSummary = { count: number; oldestReceivedAt: number | null; earliestDeadlineAt: number | null };

/**
 * Requests to iletiMerkezi answered within one hour (epoch ms of its start, UTC: Turkey's hours
 * begin at the same instants), by the outcome of their answer; `records` counts the answer lines.
 */
export type HourlyRequests = { hourStart: number; outcome: AttemptOutcome; requests: number; records: number };

/** One request to iletiMerkezi, as the dispatcher saw it; logged for every record in it. */
export type Attempt = {
  at: number;
  outcome: AttemptOutcome;
  /** The code in the answer's body (or the HTTP status when the body had none). */
  code: number | null;
  message: string;
  /** How many records the request held. */
  batchSize: number;
  /**
   * Whether this line counts in the record's `attempts` (default true). The dispatcher writes two
   * lines per request (sent, then the answer) and counts only the first, so `attempts` is the
   * number of requests that carried the record, answered or not.
   */
  counted?: boolean;
  /**
   * The request this line belongs to (the dispatcher's id for it, on its `sending` line and its
   * answer's line). Written only: attemptsOf does not return it.
   */
  requestId?: string | null;
  /** The records' doubt after this line (pending records only); undefined leaves it as it is. Written only. */
  doubt?: Doubt | null;
};

/**
 * An answer's attempt line written with the registration it leads to (markRegistered): never counted
 * in `attempts` (its request's "sent" line was), and the registration clears the doubt.
 */
export type AnswerLine = Omit<Attempt, 'counted' | 'doubt'>;

export type InsertResult = {
  ids: string[];
  /** True when the idempotency key was seen before: `ids` are the first request's, nothing new stored. */
  duplicate: boolean;
};

export interface ConsentStore extends ReadbackStore<StoredRecord> {
  /** Creates or migrates the schema. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;

  // --- ingest -----------------------------------------------------------------------------------
  /**
   * Stores all records atomically and durably (committed, fsynced) before resolving.
   * With an idempotency key seen before, stores nothing and returns the first ids, provided the
   * records are the same (recordsFingerprint, idempotency.ts); with other records it stores nothing
   * and rejects with IdempotencyKeyReusedError.
   */
  insert(records: NewRecord[], idempotencyKey?: string | null): Promise<InsertResult>;
  /**
   * What insert() would answer for a key seen before, without storing: the first ids
   * (`duplicate: true`), IdempotencyKeyReusedError for other records, or null for a new key.
   * For callers that must check something between (the batch's state rules); insert() checks again.
   */
  replay(idempotencyKey: string, records: NewRecord[]): Promise<InsertResult | null>;

  // --- reads ------------------------------------------------------------------------------------
  byRecipient(recipient: string): Promise<StoredRecordWithEvidence[]>;
  byIds(ids: string[]): Promise<StoredRecord[]>;
  /** Records received in [fromMs, toMs), oldest first, streamed in pages (never all in memory). */
  exportRange(fromMs: number, toMs: number): AsyncIterable<StoredRecordWithEvidence>;
  attemptsOf(id: string): Promise<Attempt[]>;
  countByState(): Promise<Record<RecordState, number>>;
  /** The pending record with the earliest receive time and the one with the earliest deadline. */
  pendingSummary(): Promise<PendingSummary>;
  /** The `limit` pending records closest to their deadline, earliest first (the console's dashboard). */
  pendingByDeadline(limit: number): Promise<StoredRecord[]>;
  /**
   * The requests answered in [fromMs, toMs), per hour and outcome, oldest hour first. Answers only:
   * a request's "sent" line and a doubt resolved without a request are not counted. A request is
   * told apart by its id; lines written before request ids existed, by their time and batch size.
   */
  requestsByHour(fromMs: number, toMs: number): Promise<HourlyRequests[]>;
  /** A cheap read: whether the database answers (the store_up gauge of /metrics). */
  ping(): Promise<void>;
  /**
   * Proves the ledger takes writes: one committed (and, for SQLite, fsynced) upsert of a one-row
   * table, nothing else changed. Rejects where ping() may still pass: a full disk, a read-only file
   * or server, a write lock held by someone else, a database down or frozen. For /healthz
   * (readiness: can the collector durably accept a consent?) and check-config.
   */
  probeWrite(): Promise<void>;

  // --- dispatch ---------------------------------------------------------------------------------
  /**
   * Claims up to `limit` pending records, earliest deadline first, with a lease owned by `owner`
   * until now + leaseMs. Only the head of each key is claimable: a record whose key has an earlier
   * pending record (by consentDate, then arrival) waits, so one claim never holds two records of one
   * key and records of a key are sent in order, even across several collector processes.
   * A key is also busy while any of its pending records is under a live lease, so a late-arriving
   * record with an earlier consentDate never goes out beside one already in flight.
   * Records under a live lease (anyone's, `owner`'s own too), or whose notBefore is in the future,
   * are skipped. Records past their deadline are still returned: check deadlineAt (or call overdue()).
   * Safe under concurrency (FOR UPDATE SKIP LOCKED on PostgreSQL, claims serialised per schema).
   */
  claim(opts: { owner: string; limit: number; leaseMs: number; now: number }): Promise<StoredRecord[]>;
  /** What the ledger believes İYS holds for each key: its last registered record. Key = keyOf(record). */
  beliefs(keys: string[]): Promise<Map<string, KeyBelief>>;
  /**
   * The latest live record of each key, registered or still pending (rejected and expired ones
   * never reach İYS): what İYS will hold once the outbox drains. Latest by consentDate, then arrival.
   */
  latestOfKeys(keys: string[]): Promise<Map<string, LatestRecord>>;
  /** Logs one attempt line for each record id (and counts it in `attempts` unless `counted` is false). */
  logAttempt(ids: string[], attempt: Attempt): Promise<void>;
  /**
   * The requests that carried any of `ids` and got no answer: a `sending` line with a request id and
   * no line of that request other than 'sending' or 'ambiguous' (the process died with the request
   * on the wire, or its answer was lost). Request id → the ids of every record it carried.
   */
  lostRequestsOf(ids: string[]): Promise<Map<string, string[]>>;
  /**
   * Final states; each also drops the lease. Only records still `pending` change.
   * markRegistered with `answer` logs that attempt line for each id in the same transaction, and
   * the records keep its message as their last answer: the line and the state are never parted
   * by a crash.
   */
  markRegistered(ids: string[], at: number, answer?: AnswerLine): Promise<void>;
  markRejected(ids: string[], reason: string, at: number): Promise<void>;
  markExpired(ids: string[], reason: string, at: number): Promise<void>;
  /** Gives claimed records back: pending, unleased, not claimable before `notBefore` (epoch ms). */
  release(ids: string[], owner: string, notBefore: number): Promise<void>;
  /** Renews the lease of records `owner` still holds (long isolation runs). */
  extendLease(ids: string[], owner: string, until: number): Promise<void>;
  /** Pending records past their deadline at `now` (not leased by a live owner). */
  overdue(now: number, limit: number): Promise<StoredRecord[]>;
  /** Earliest moment something becomes claimable (a notBefore or a lease running out), or null. */
  nextWakeAt(now: number): Promise<number | null>;

  /** Calls back when records are inserted, by this process or (PostgreSQL: LISTEN/NOTIFY) another. */
  onInsert(listener: () => void): () => void;

  // --- the SMS code double opt-in ---------------------------------------------------------------
  /** Consents awaiting their code, in the same database (verification-store.ts). */
  verifications(): VerificationStore;
  // --- proof ------------------------------------------------------------------------------------
  /** The notice registry and the form tokens' used nonces, in this ledger (proof-store.ts). After init(). */
  proof(): ProofStore;
}

/**
 * The ledger's side of the SMS code double opt-in: consents awaiting their code (the `verifications`
 * table of schema.ts), in the same database as the records, so a restart or another collector keeps
 * them. Nothing here is a record: the dispatcher never sees a verification. Times are epoch ms.
 */
export type NewVerification = {
  id: string;
  /** Normalised (+90…). */
  recipient: string;
  channels: string;
  idempotencyKey: string;
  records: NewRecord[];
  /** `salt:hex` (verification-code.ts): never the code itself. */
  codeHash: string;
  createdAt: number;
  expiresAt: number;
};

export type Verification = Omit<NewVerification, 'records'> & {
  records: NewRecord[];
  state: VerificationState;
  reason: string | null;
  /** Codes typed so far, right or wrong. */
  attempts: number;
  sentAt: number | null;
  messageId: string | null;
  verifiedAt: number | null;
  recordIds: string[];
};

export interface VerificationStore {
  /** Stores a new one, awaiting its code; durable before it resolves. */
  create(v: NewVerification): Promise<void>;
  get(id: string): Promise<Verification | null>;
  byIdempotencyKey(key: string): Promise<Verification | null>;
  /** Every verification of one recipient, oldest first (the lookup). */
  byRecipient(recipient: string): Promise<Verification[]>;
  /** The SMS went out: when, and iletiMerkezi's id of it. */
  markSent(id: string, sentAt: number, messageId: string | null): Promise<void>;
  /** Counts one typed code; the count after it, or null when the verification no longer awaits. */
  countAttempt(id: string): Promise<number | null>;
  /** Ends one still awaiting in a final state other than `verified`, with its reason. False when it no longer awaited. */
  finish(id: string, end: { state: Exclude<VerificationState, 'awaiting-verification' | 'verified'>; reason: string | null; at: number }): Promise<boolean>;
  /**
   * Ends one still awaiting as `verified` AND inserts its records (under `idempotencyKey`) in ONE
   * transaction, decided by the conditional update of its row: the records exist exactly when the
   * row says verified, whatever the expiry sweep or a twin request did meanwhile. The records' ids,
   * or null (nothing stored) when it no longer awaited.
   */
  verify(id: string, at: number, records: NewRecord[], idempotencyKey: string): Promise<string[] | null>;
  /** Expires those awaiting past `expiresAt` at `now` (housekeeping); how many. */
  expireDue(now: number, reason: string): Promise<number>;
  /** Counts by state (the metrics' gauge). */
  countByState(): Promise<Partial<Record<VerificationState, number>>>;
}
