import { randomUUID } from 'node:crypto';
import { maskRecipient } from '../../shared/recipient.ts';
import { keyOf } from '../../shared/iys-record.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentSender, SendOutcome } from '../iletimerkezi/outcome.ts';
import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { ACCOUNT_BACKOFF, TRANSIENT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.ts';
import { ageOf, isExpired, warningLevel } from './deadline.ts';
import { BATCH_TAKEN_AS_STORED, SENDING, TAKEN_AS_STORED, isInDoubt } from './doubt.ts';
import { isolate } from './isolation.ts';
import { planSends, type PlannedSend } from './plan.ts';

export type DispatcherEvent =
  | { type: 'request'; outcome: SendOutcome['kind']; code: number | null; size: number; ms: number }
  /** `latenciesMs`: for each record, from the collector receiving it to İYS accepting it. */
  | { type: 'registered'; count: number; latenciesMs: number[] }
  | { type: 'rejected' | 'expired'; count: number }
  | { type: 'paused'; reason: string; code: number }
  | { type: 'resumed' };

export type DispatcherOptions = {
  store: ConsentStore;
  sender: ConsentSender;
  logger: Logger;
  /** Records per request, 1–5000 (IYS_BATCH_MAX). */
  batchMax: number;
  /** Longest wait of a partial batch after its oldest record arrived (IYS_FLUSH_MS). */
  flushMs: number;
  /** How long a claim holds records; renewed during long isolations. */
  leaseMs: number;
  /** This process's name in leases: unique per process. */
  owner: string;
  now?: () => number;
  random?: () => number;
  onEvent?: (e: DispatcherEvent) => void;
  /**
   * Longest idle sleep. Inserts wake the loop, but a SQLite insert from another process (the import
   * command) cannot: this bounds how long such records wait. Default 10 s.
   */
  idlePollMs?: number;
  /** Back-off policies; tests shorten them. */
  transientBackoff?: BackoffPolicy;
  accountBackoff?: BackoffPolicy;
};

export type DispatcherStatus = {
  running: boolean;
  paused: null | { reason: string; code: number; since: number; until: number };
  lastOutcome: null | { kind: SendOutcome['kind']; code: number | null; message: string; at: number; size: number };
  /** Records in the request on the wire now (0 when idle). */
  inFlight: number;
  pending: number;
  /** Age (since consentDate) of the pending record closest to its deadline; null when none is pending. */
  oldestPendingAgeMs: number | null;
  requests: number;
};

export type Dispatcher = {
  start(): void;
  /** Stops claiming, lets the request in flight finish and records its outcome, gives back the rest. */
  stop(): Promise<void>;
  status(): DispatcherStatus;
  /** Wakes the loop now (an insert does this by itself). */
  kick(): void;
};

/** Thrown inside a pass to end it early; the records still held are given back. */
class EndPass extends Error {
  constructor(
    readonly notBefore: number,
    /** False when the refusals seen in the pass prove nothing about the records (the circuit breaker). */
    readonly judgeFound = true,
  ) {
    super('end of pass');
  }
}

/**
 * The circuit breaker. A 422 names no record, and some 422s are about the account, not the records:
 * "brandCode not yours" is listed under 422 in the API document. Then every record is refused and,
 * without a breaker, isolation would reject the whole backlog, irreversibly.
 *
 * The rule: until this process has seen one request accepted (since it started, or since sending
 * last resumed after a pause), a refusal of a record alone is not trusted: the record stays pending.
 * Once BREAKER_AFTER single-record requests have been refused, or one isolation has ended with every
 * record refused, with nothing accepted, sending pauses like a 401: the records stay pending and one record at a time probes the
 * account with a growing back-off; the first acceptance resumes sending. After that acceptance a
 * record refused alone is the record's fault again and is rejected, as before.
 *
 * So a wrong brand code costs a few dozen refused requests and rejects nothing, while a genuinely
 * bad record among good ones is rejected at once (the good ones are accepted around it). The one
 * case it cannot tell apart: a process whose only pending records are all bad pauses instead of
 * rejecting them, until a good record arrives and a probe is accepted. Records the ledger expects
 * refused (sent apart) and records in doubt after a lost answer are judged by their own rules and
 * do not count.
 */
const BREAKER_AFTER = 3;
/** Records from elsewhere in the batch sent alone before the breaker trips inside an isolation. */
const CONTROL_PROBES = 3;
const BREAKER_REASON = 'every record refused (422) and none accepted: check IYS_BRAND_CODE (a brand code that is not this account\'s is refused so)';

// Single-record probes that tell a stored lost request from one with a bad record; only for
// batches large enough that probing is cheaper than judging each record alone.
const DOUBT_PROBES = 4;
const PROBE_FROM = 16;
const EXPIRED_REASON = 'within 5 minutes of (or past) the 72-hour İYS deadline before it could be sent';

/**
 * The loop that moves pending records to İYS: claim (earliest deadline first), plan, send, record
 * the answer. One per process; several processes share the work through the store's leases.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { store, sender, logger, batchMax, flushMs, leaseMs, owner } = opts;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const emit = (e: DispatcherEvent) => opts.onEvent?.(e);
  const idlePollMs = opts.idlePollMs ?? 10_000;

  let running = false;
  let stopping = false;
  let loopDone: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  let woken = false;
  let unsubscribe: (() => void) | null = null;
  let transientStreak = 0;
  let accountStreak = 0;
  let warnedLevel = 0;
  // The circuit breaker (see BREAKER_AFTER): whether a request was accepted since the start or the
  // last pause, and the records refused alone since then.
  let proven = false;
  let refusedUnproven = 0;
  // After a transient or ambiguous answer the service as a whole is backed off, not just the records
  // held: a new insert wakes the loop, which goes back to sleep until then (Retry-After included).
  let sendNotBefore = 0;
  // For each record, the requests that carried it and got no answer (each as the set of its ids).
  // Batches are atomic, so once any record of a lost request is accepted, that request cannot have
  // been stored (strict), or duplicates are accepted anyway (lenient): that one request's doubt is
  // lifted for all its records. A record stays in doubt while any of its lost requests is unresolved.
  // Every request has an id on its attempt lines, so after a crash the groups are rebuilt from the
  // ledger (regroupLost); `lostRequests` keeps each lost request's set once, by that id.
  const doubt = new Map<string, Set<string>[]>();
  const lostRequests = new Map<string, Set<string>>();
  const cleared = new Set<string>();
  const state: DispatcherStatus = {
    running: false, paused: null, lastOutcome: null, inFlight: 0, pending: 0, oldestPendingAgeMs: null, requests: 0,
  };

  const kick = () => {
    woken = true;
    wake?.();
  };

  /** Waits until `at` (epoch ms, by the injected clock), a kick, an insert or stop. */
  async function waitUntil(at: number | null): Promise<void> {
    if (woken || stopping) {
      woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = at === null ? null : setTimeout(resolve, Math.max(0, at - now()));
      wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
    woken = false;
  }

  let onStop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (onStop = resolve));

  /** Sleeps inside a pass (retries during an isolation); only stop cuts it short, not inserts. */
  async function pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  const inDoubt = (r: StoredRecord) => !cleared.has(r.id) && (doubt.has(r.id) || isInDoubt(r));
  const iys = (r: StoredRecord): IysRecord => ({
    recipient: r.recipient, recipientType: r.recipientType, type: r.type, status: r.status, source: r.source, consentDate: r.consentDate,
  });

  /** One request: SENDING is logged first so a crash leaves the records marked as in doubt. */
  async function request(records: StoredRecord[]): Promise<SendOutcome> {
    const ids = records.map((r) => r.id);
    const size = records.length;
    const requestId = randomUUID();
    await store.logAttempt(ids, { at: now(), outcome: 'sending', code: null, message: SENDING, batchSize: size, requestId, doubt: 'sending' });
    state.inFlight = size;
    let outcome: SendOutcome;
    const sentAt = now();
    try {
      outcome = await sender.send(records.map(iys));
    } finally {
      state.inFlight = 0;
    }
    state.requests++;
    if (outcome.kind === 'ambiguous') {
      addLost(requestId, ids);
      for (const id of ids) cleared.delete(id);
    }
    const at = now();
    state.lastOutcome = { kind: outcome.kind, code: outcome.code, message: outcome.message, at, size };
    emit({ type: 'request', outcome: outcome.kind, code: outcome.code, size, ms: at - sentAt });
    // Records in doubt keep it in the ledger with every later line: it must outlive this process. An
    // accepted answer's line says the records are stored, for a crash before markRegistered (doubt.ts).
    const attempt = { at, outcome: outcome.kind, code: outcome.code, message: outcome.message, batchSize: size, counted: false, requestId };
    if (outcome.kind === 'accepted') {
      await store.logAttempt(ids, { ...attempt, doubt: 'stored' });
    } else {
      const marked = ids.filter((id) => doubt.has(id));
      const clear = ids.filter((id) => !doubt.has(id));
      if (clear.length) await store.logAttempt(clear, { ...attempt, doubt: null });
      if (marked.length) await store.logAttempt(marked, { ...attempt, doubt: 'lost' });
    }
    return outcome;
  }

  /** Notes one lost request (once per request id) for each record it carried. */
  function addLost(requestId: string, ids: string[]) {
    if (lostRequests.has(requestId)) return;
    const lost = new Set(ids);
    lostRequests.set(requestId, lost);
    for (const id of ids) doubt.set(id, [...(doubt.get(id) ?? []), lost]);
  }

  /**
   * Claimed records the ledger marks in doubt but this process has no group for (another process,
   * dead or alive, lost their request): their lost requests are read back from the attempts, so an
   * acceptance of any member lifts the doubt and the probes of probeLostRequest apply, as if this
   * process had sent them. Records cleared here stay cleared: the ledger's mark lags behind.
   */
  async function regroupLost(claimed: StoredRecord[]) {
    const unknown = claimed.filter((r) => isInDoubt(r) && !doubt.has(r.id) && !cleared.has(r.id)).map((r) => r.id);
    if (unknown.length === 0) return;
    for (const [requestId, members] of await store.lostRequestsOf(unknown)) addLost(requestId, members);
  }

  /** An acceptance of some records of a lost request shows the lost one was not stored (see `doubt`). */
  function liftDoubt(accepted: StoredRecord[]) {
    for (const r of accepted) {
      for (const lost of doubt.get(r.id) ?? []) {
        for (const member of lost) {
          const left = (doubt.get(member) ?? []).filter((l) => l !== lost);
          if (left.length > 0) doubt.set(member, left);
          else {
            doubt.delete(member);
            cleared.add(member);
          }
        }
      }
    }
  }

  /**
   * A record reached a final state: this process holds nothing about it any more, so the doubt
   * bookkeeping of a long-running process does not grow with every lost answer it ever met.
   */
  function settled(ids: string[], held: Set<string>) {
    for (const id of ids) {
      held.delete(id);
      doubt.delete(id);
      cleared.delete(id);
    }
    for (const [requestId, members] of lostRequests) {
      if (![...members].some((m) => doubt.has(m))) lostRequests.delete(requestId);
    }
  }

  async function registered(records: StoredRecord[], held: Set<string>) {
    const ids = records.map((r) => r.id);
    const at = now();
    await store.markRegistered(ids, at);
    settled(ids, held);
    emit({ type: 'registered', count: ids.length, latenciesMs: records.map((r) => at - r.receivedAt) });
  }

  async function expire(records: StoredRecord[], held: Set<string>) {
    if (records.length === 0) return;
    await store.markExpired(records.map((r) => r.id), EXPIRED_REASON, now());
    settled(records.map((r) => r.id), held);
    logger.error(
      { event: 'dispatch.expired', count: records.length, sample: maskRecipient(records[0]!.recipient) },
      `${records.length} record(s) came within 5 minutes of the 72-hour deadline before they could be sent: marked expired`,
    );
    emit({ type: 'expired', count: records.length });
  }

  /** A record refused on its own: rejected, unless a lost request may have stored it (then the refusal is the duplicate). */
  async function refusedAlone(r: StoredRecord, message: string, held: Set<string>) {
    if (inDoubt(r)) {
      await store.logAttempt([r.id], { at: now(), outcome: 'resolved', code: null, message: TAKEN_AS_STORED, batchSize: 1, counted: false, doubt: 'stored' });
      await registered([r], held);
      logger.warn({ event: 'dispatch.doubt-resolved', recipient: maskRecipient(r.recipient), type: r.type }, TAKEN_AS_STORED);
      return;
    }
    await store.markRejected([r.id], message, now());
    settled([r.id], held);
    logger.warn({ event: 'dispatch.rejected', recipient: maskRecipient(r.recipient), type: r.type, status: r.status, message }, 'İYS refused a record');
    emit({ type: 'rejected', count: 1 });
  }

  function enterPause(code: number, message: string): number {
    const delay = backoffDelay(accountStreak++, opts.accountBackoff ?? ACCOUNT_BACKOFF, { random });
    const until = now() + delay;
    const reason =
      code === 401 ? 'credentials refused or API access off'
      : code === 403 ? 'no active İYS subscription or brand'
      : code === 405 ? 'monthly quota used up'
      : BREAKER_REASON;
    proven = false;
    if (state.paused === null || state.paused.code !== code) {
      logger.error(
        { event: 'dispatch.paused', code, message, reason, retryInMs: delay },
        `sending paused: iletiMerkezi answered ${code} (${reason}); records stay pending, retrying by itself`,
      );
      emit({ type: 'paused', reason, code });
    }
    state.paused = { reason, code, since: state.paused?.since ?? now(), until };
    return until;
  }

  function leavePause() {
    if (state.paused === null) return;
    logger.info({ event: 'dispatch.resumed', pausedMs: now() - state.paused.since }, 'sending resumed: the account works again');
    state.paused = null;
    accountStreak = 0;
    emit({ type: 'resumed' });
  }

  /**
   * A record refused alone: 'judge' when the refusal is the record's own (the account was shown to
   * work, or the doubt rule decides), 'unproven' (and counted for the breaker) when it is not yet.
   */
  function refusedLone(r: StoredRecord): 'judge' | 'unproven' {
    if (proven || inDoubt(r)) return 'judge';
    refusedUnproven++;
    return 'unproven';
  }

  const breakerDue = () => refusedUnproven >= BREAKER_AFTER;

  function trip(message: string): EndPass {
    if (state.paused?.code !== 422) {
      logger.warn({ event: 'dispatch.breaker', refusedAlone: refusedUnproven, message }, 'records refused alone and none accepted: the account, not the records');
    }
    return new EndPass(enterPause(422, message), false);
  }

  /** When a record refused alone before any acceptance is tried again. */
  function holdOffRecord(): number {
    return now() + backoffDelay(refusedUnproven, opts.transientBackoff ?? TRANSIENT_BACKOFF, { random });
  }

  /** Backs off every send (not only the records held) for `delay`; returns the moment sending may resume. */
  function holdOff(delay: number): number {
    const at = now() + delay;
    sendNotBefore = Math.max(sendNotBefore, at);
    return at;
  }

  /**
   * A back-off inside an isolation. Its progress (records found bad, the grouping of a lost request
   * that lets a few probes settle it) lives in the pass, so the pass waits rather than ends; the
   * lease is extended over the wait so no other process takes the records meanwhile.
   */
  async function waitInPass(delay: number, held: Set<string>) {
    await store.extendLease([...held], owner, now() + delay + leaseMs);
    await pause(delay);
  }

  /** What every answer but a refusal does; returns true when the records are settled. */
  async function common(outcome: SendOutcome, records: StoredRecord[], held: Set<string>, inPass: 'top' | 'isolation'): Promise<boolean> {
    switch (outcome.kind) {
      case 'accepted':
        transientStreak = 0;
        proven = true;
        refusedUnproven = 0;
        leavePause();
        liftDoubt(records);
        await registered(records, held);
        return true;
      case 'account':
        throw new EndPass(enterPause(outcome.code, outcome.message));
      case 'transient': {
        const delay = backoffDelay(transientStreak++, opts.transientBackoff ?? TRANSIENT_BACKOFF, { random, retryAfterMs: outcome.retryAfterMs });
        const until = holdOff(delay);
        if (inPass === 'top') throw new EndPass(until);
        await waitInPass(delay, held);
        return false;
      }
      case 'ambiguous': {
        // The same back-off as a transient answer: a service that drops answers is struggling, and
        // re-sending at once would only add load. The doubt (by record id, above) outlives a release.
        const delay = backoffDelay(transientStreak++, opts.transientBackoff ?? TRANSIENT_BACKOFF, { random });
        logger.warn(
          { event: 'dispatch.ambiguous', size: records.length, retryInMs: delay, message: outcome.message },
          'no answer to a request: its records are in doubt and sent again after a back-off',
        );
        const until = holdOff(delay);
        if (inPass === 'top') throw new EndPass(until);
        await waitInPass(delay, held);
        return false;
      }
      default:
        return false;
    }
  }

  /** Drops records whose deadline has come; returns the rest. */
  async function stillInTime(records: StoredRecord[], held: Set<string>): Promise<StoredRecord[]> {
    const t = now();
    const late = records.filter((r) => isExpired(r, t));
    if (late.length === 0) return records;
    await expire(late, held);
    return records.filter((r) => !isExpired(r, t));
  }

  /** Sends one planned group until it is settled (or the pass ends). */
  async function deliver(send: PlannedSend, held: Set<string>, renew: () => Promise<void>): Promise<void> {
    let records = send.records;
    for (;;) {
      if (stopping) throw new EndPass(0);
      records = await stillInTime(records, held);
      if (records.length === 0) return;
      await renew();
      const outcome = await request(records);
      if (outcome.kind === 'too-many') {
        const half = Math.ceil(records.length / 2);
        await deliver({ ...send, records: records.slice(0, half) }, held, renew);
        await deliver({ ...send, records: records.slice(half) }, held, renew);
        return;
      }
      if (outcome.kind === 'records-refused') {
        transientStreak = 0;
        // A 422 shows the credentials and the quota work, but not that the brand code does.
        if (state.paused && state.paused.code !== 422) leavePause();
        if (records.length > 1) return isolateRefused(records, outcome.message, held, renew);
        const r = records[0]!;
        if (send.apart || refusedLone(r) === 'judge') return refusedAlone(r, outcome.message, held);
        // Given back unjudged. After a trip it waits out several probes, so the next probes try
        // other records: a few bad ones must not hide the good ones behind them.
        const end = breakerDue() ? trip(outcome.message) : null;
        const until = end ? end.notBefore + (opts.accountBackoff ?? ACCOUNT_BACKOFF).capMs : holdOffRecord();
        await store.release([r.id], owner, until);
        held.delete(r.id);
        if (end) throw end;
        return;
      }
      if (await common(outcome, records, held, 'top')) return;
    }
  }

  /**
   * A refused re-send of records that may all be stored already. Batches are atomic: if the lost
   * request was stored, every record of it is now a duplicate and would be refused alone, one
   * request each (2n with splitting). If it was not stored, some record is bad but most are good.
   * A few single records, spread over the batch, tell the two apart: one accepted proves the lost
   * request was not stored (the isolation then goes on as usual); all refused means it was, unless
   * nearly every record is bad, a chance of (bad share)^probes.
   * Returns the records still to isolate, or [] when they were all taken as stored.
   */
  async function probeLostRequest(records: StoredRecord[], held: Set<string>, renew: () => Promise<void>): Promise<StoredRecord[]> {
    const step = records.length / DOUBT_PROBES;
    const probes = Array.from({ length: DOUBT_PROBES }, (_, i) => records[Math.floor(i * step + random() * step)]!);
    for (const probe of probes) {
      if ((await stillInTime([probe], held)).length === 0) return records.filter((r) => held.has(r.id));
      for (;;) {
        if (stopping) throw new EndPass(0);
        await renew();
        const outcome = await request([probe]);
        if (outcome.kind === 'records-refused') break;
        if (outcome.kind === 'too-many') throw new EndPass(0);
        if (await common(outcome, [probe], held, 'isolation')) return records.filter((r) => r !== probe);
      }
    }
    const t = now();
    await store.logAttempt(records.map((r) => r.id), { at: t, outcome: 'resolved', code: null, message: BATCH_TAKEN_AS_STORED, batchSize: records.length, counted: false, doubt: 'stored' });
    await registered(records, held);
    logger.warn({ event: 'dispatch.doubt-resolved', size: records.length, probes: DOUBT_PROBES }, BATCH_TAKEN_AS_STORED);
    return [];
  }

  async function isolateRefused(allRecords: StoredRecord[], firstMessage: string, held: Set<string>, renew: () => Promise<void>) {
    // Only records of one lost request (known to this process or rebuilt by regroupLost): probes
    // of a mix of stored and unstored requests would prove nothing.
    const lost = doubt.get(allRecords[0]!.id)?.[0];
    const oneLostRequest = lost !== undefined && allRecords.every((r) => doubt.get(r.id)?.length === 1 && doubt.get(r.id)![0] === lost);
    const records = allRecords.length > PROBE_FROM && oneLostRequest ? await probeLostRequest(allRecords, held, renew) : allRecords;
    if (records.length === 0) return;
    let lastMessage = firstMessage;
    const started = state.requests;
    // Judged after the isolation: an acceptance later in it may lift the doubt on a refused record.
    const refused: Array<{ r: StoredRecord; message: string }> = [];
    // A pass may end inside the isolation (an account pause, a 475, stop): the records already found
    // bad are judged then, not sent and isolated again.
    // Before any acceptance a refusal alone proves nothing (the circuit breaker): such records stay pending.
    const judge = async () => {
      for (const { r, message } of refused.splice(0)) {
        if (held.has(r.id) && (proven || inDoubt(r))) await refusedAlone(r, message, held);
      }
    };
    // Set once a record of the isolation is expired before its test: from then on no record is
    // judged bad by elimination (the expired one, never sent, may have been the bad one).
    let expiredDuring = false;
    // Before the breaker trips inside an isolation, a few records from elsewhere in the batch are
    // sent alone: bad records bunched at the head of a batch (an import of old records the brand
    // already registered in the panel) are refused one after the other like a wrong brand code, but
    // one accepted control shows the account works. An accepted control is registered and no
    // longer held: `test` skips it, which is sound (it is known good).
    const controlAccepted = async (refusedRecord: StoredRecord): Promise<boolean> => {
      const found = new Set(refused.map(({ r }) => r.id).concat(refusedRecord.id));
      const candidates = records.filter((r) => held.has(r.id) && !found.has(r.id) && !inDoubt(r));
      for (let i = 0; i < CONTROL_PROBES && candidates.length > 0; i++) {
        const [control] = candidates.splice(Math.floor(random() * candidates.length), 1);
        if ((await stillInTime([control!], held)).length === 0) continue;
        await renew();
        const outcome = await request([control!]);
        if (outcome.kind === 'records-refused') {
          refusedUnproven++;
          continue;
        }
        if (outcome.kind === 'too-many') throw new EndPass(0);
        if (await common(outcome, [control!], held, 'isolation')) return true;
      }
      return false;
    };
    const test = async (all: StoredRecord[]): Promise<boolean> => {
      for (;;) {
        if (stopping) throw new EndPass(0);
        // The deadline is checked before every send, not only the first: an isolation takes time.
        // Records registered meanwhile (an accepted control) are known good and not sent again.
        const group = await stillInTime(all.filter((r) => held.has(r.id)), held);
        if (all.some((r) => held.has(r.id) && !group.includes(r))) expiredDuring = true;
        if (group.length === 0) return true;
        await renew();
        const outcome = await request(group);
        if (outcome.kind === 'records-refused') {
          lastMessage = outcome.message;
          if (group.length === 1 && refusedLone(group[0]!) === 'unproven' && breakerDue() && !(await controlAccepted(group[0]!))) {
            throw trip(outcome.message);
          }
          return false;
        }
        if (outcome.kind === 'too-many') throw new EndPass(0);
        if (await common(outcome, group, held, 'isolation')) return true;
      }
    };
    let result: Awaited<ReturnType<typeof isolate<StoredRecord>>>;
    try {
      result = await isolate(records, test, {
        knownBad: true,
        // A record that may be stored is judged only on a refusal of its own.
        confirmAlone: (r) => expiredDuring || inDoubt(r),
        onBad: (r) => void refused.push({ r, message: lastMessage }),
      });
    } catch (e) {
      if (e instanceof EndPass && e.judgeFound) await judge();
      throw e;
    }
    // Every record refused and none accepted, nothing known to be in doubt: the account, not the records.
    if (!proven && result.good.length === 0 && refused.some(({ r }) => !inDoubt(r))) throw trip(lastMessage);
    await judge();
    logger.info(
      { event: 'dispatch.isolated', size: records.length, bad: result.bad.length, requests: state.requests - started + 1 },
      `isolated ${result.bad.length} refused record(s) among ${records.length} in ${state.requests - started + 1} requests`,
    );
  }

  /** Oldest-pending age, warnings at 24 h and 48 h, overdue records. */
  async function housekeeping() {
    const t = now();
    const overdue = await store.overdue(t, 1000);
    if (overdue.length) await expire(overdue, new Set(overdue.map((r) => r.id)));
    const summary = await store.pendingSummary();
    state.pending = summary.count;
    state.oldestPendingAgeMs = summary.earliestDeadlineAt === null ? null : ageOf({ deadlineAt: summary.earliestDeadlineAt }, t);
    const level = summary.earliestDeadlineAt === null ? 0 : warningLevel({ deadlineAt: summary.earliestDeadlineAt }, t);
    if (level !== warnedLevel) {
      if (level > warnedLevel) {
        logger.warn(
          { event: 'dispatch.deadline-warning', oldestPendingAgeMs: state.oldestPendingAgeMs, pending: summary.count },
          `a pending record is over ${level / 3_600_000} h old: İYS must have it by 72 h`,
        );
      }
      warnedLevel = level;
    }
    return summary;
  }

  /** One claim and everything it leads to. Returns when to look again (null: on the next insert). */
  async function pass(): Promise<number | null> {
    const summary = await housekeeping();
    const t = now();
    if (state.paused && t < state.paused.until) return state.paused.until;
    if (t < sendNotBefore) return sendNotBefore;
    if (summary.count === 0) return store.nextWakeAt(t);
    if (!state.paused && summary.count < batchMax && summary.oldestReceivedAt !== null && summary.oldestReceivedAt + flushMs > t) {
      return summary.oldestReceivedAt + flushMs;
    }
    // While paused, one small request probes whether the account works again.
    const claimed = await store.claim({ owner, limit: state.paused ? 1 : batchMax, leaseMs, now: t });
    if (claimed.length === 0) return store.nextWakeAt(t);
    const held = new Set(claimed.map((r) => r.id));
    let leaseAt = t;
    const renew = async () => {
      if (now() - leaseAt < leaseMs / 3) return;
      leaseAt = now();
      await store.extendLease([...held], owner, leaseAt + leaseMs);
    };
    try {
      await regroupLost(claimed);
      const beliefs = await store.beliefs([...new Set(claimed.map((r) => keyOf(r)))]);
      const plan = planSends(claimed, beliefs, { now: t, inDoubt });
      await expire(plan.expired, held);
      for (const send of plan.sends) {
        if (send.apart) {
          logger.info({ event: 'dispatch.apart', size: send.records.length, why: send.apart }, 'records sent apart from the batch');
        }
        await deliver(send, held, renew);
      }
    } catch (e) {
      if (!(e instanceof EndPass)) throw e;
      if (held.size) await store.release([...held], owner, e.notBefore);
      return e.notBefore > now() ? e.notBefore : 0;
    }
    if (held.size) await store.release([...held], owner, 0);
    return 0;
  }

  async function loop() {
    while (!stopping) {
      let next: number | null;
      try {
        next = await pass();
      } catch (e) {
        logger.error({ event: 'dispatch.error', err: e instanceof Error ? e.message : String(e) }, 'dispatch pass failed; retrying');
        next = now() + 1000;
      }
      if (stopping) break;
      if (next === 0) continue;
      const latest = now() + idlePollMs;
      await waitUntil(next === null ? latest : Math.min(next, latest));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      state.running = true;
      unsubscribe = store.onInsert(kick);
      loopDone = loop();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      onStop();
      kick();
      await loopDone;
      unsubscribe?.();
      running = false;
      state.running = false;
    },
    status: () => ({ ...state, paused: state.paused ? { ...state.paused } : null, lastOutcome: state.lastOutcome ? { ...state.lastOutcome } : null }),
    kick,
  };
}
