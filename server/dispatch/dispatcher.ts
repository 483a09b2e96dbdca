import { keyOf } from '../../shared/iys-record.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentSender, SendOutcome } from '../iletimerkezi/outcome.ts';
import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { AccountGate, type OperatorHold, type Pause } from './account-gate.ts';
import type { BackoffPolicy } from './backoff.ts';
import { Claim } from './claim.ts';
import { Courier, type LastOutcome } from './courier.ts';
import { DoubtBook } from './doubt-book.ts';
import type { DispatcherEvent } from './events.ts';
import type { CheckLane } from './handover.ts';
import { Housekeeping } from './housekeeping.ts';
import { createIsolation } from './isolate-refused.ts';
import { createLoop } from './loop.ts';
import { EndPass, type PassTools, type SendPlace } from './pass.ts';
import { planSends, type PlannedSend } from './plan.ts';
import { Settler } from './settle.ts';

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
  /**
   * The read-back lane (server/readback, IYS_READBACK): records in doubt and records refused alone
   * are handed to it, and it settles them by reading İYS beside sending. Without it: inference.
   */
  checks?: CheckLane;
};

export type DispatcherStatus = {
  running: boolean;
  /** Paused by iletiMerkezi's answer (401/403/405) or the circuit breaker (422): probing with a growing back-off. */
  paused: Pause | null;
  /** Paused by the operator: nothing is sent until resumed. */
  heldByOperator: OperatorHold | null;
  /** While a transient or lost answer holds the whole service back: until when (epoch ms). */
  backoffUntil: number | null;
  lastOutcome: LastOutcome | null;
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
  /** The operator's pause: no request, not even a probe, until resume(). The request on the wire finishes. */
  pause(): void;
  resume(): void;
};

/**
 * The loop that moves pending records to İYS: claim (earliest deadline first), plan, send, record
 * the answer. One per process; several processes share the work through the store's leases.
 * This module keeps the pass; beside it live the loop (loop.ts), the lease of a claim (claim.ts),
 * the requests and their ledger lines (courier.ts), the final states (settle.ts), the lost requests
 * (doubt-book.ts), the pause, back-off and circuit breaker (account-gate.ts), the isolation of a
 * refused batch (isolate-refused.ts) and what runs before each pass (housekeeping.ts).
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { store, logger, batchMax, flushMs, leaseMs, owner } = opts;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const emit = (e: DispatcherEvent) => opts.onEvent?.(e);
  const book = new DoubtBook();
  const gate = new AccountGate({ logger, now, random, emit, transientBackoff: opts.transientBackoff, accountBackoff: opts.accountBackoff });
  const courier = new Courier({ store, sender: opts.sender, now, emit, book });
  const checks = opts.checks;
  /** Records the lane took: held by it under this process's lease, no longer by the pass. */
  async function handOver(ids: string[], held: Set<string>): Promise<void> {
    await store.extendLease(ids, owner, now() + leaseMs);
    for (const id of ids) held.delete(id);
  }
  const settler = new Settler({
    store, logger, now, emit, book,
    handOver: checks
      ? async (r, message, held) => {
          if (!checks.takeRefusal(r, message)) return false;
          await handOver([r.id], held);
          return true;
        }
      : undefined,
  });
  const housekeeping = new Housekeeping({ store, logger, now, settler });
  const isolateRefused = createIsolation({ logger, random, gate, book, settler, requests: () => courier.requests });
  const loop = createLoop({
    pass,
    now,
    idlePollMs: opts.idlePollMs ?? 10_000,
    wakeOn: (kick) => store.onInsert(kick),
    onError: (e) => logger.error({ event: 'dispatch.error', err: e instanceof Error ? e.message : String(e) }, 'dispatch pass failed; retrying'),
  });
  checks?.attach({ book, settler, kick: () => loop.kick(), owner, leaseMs });

  /** Records in doubt go to the read-back lane (when there is one and it takes them); returns the rest. */
  async function handDoubts(records: StoredRecord[], claim: Claim): Promise<StoredRecord[]> {
    const doubted = checks ? records.filter((r) => book.inDoubt(r)) : [];
    if (doubted.length === 0) return records;
    const taken = checks!.takeDoubts(doubted);
    if (taken.size === 0) return records;
    await handOver([...taken], claim.held);
    return records.filter((r) => !taken.has(r.id));
  }

  /** What every answer but a refusal does; returns true when the records are settled. */
  async function answer(outcome: SendOutcome, records: StoredRecord[], claim: Claim, place: SendPlace): Promise<boolean> {
    switch (outcome.kind) {
      case 'accepted':
        gate.onAccepted();
        book.lift(records);
        settler.accepted(records, claim.held);
        return true;
      case 'account':
        throw new EndPass(gate.enterPause(outcome.code, outcome.message));
      case 'transient': {
        const { delay, until } = gate.backOff(outcome.retryAfterMs);
        if (place === 'top') throw new EndPass(until);
        await claim.waitOut(delay);
        return false;
      }
      case 'ambiguous': {
        // The same back-off as a transient answer: a service that drops answers is struggling, and
        // re-sending at once would only add load. The doubt (the book, by record id) outlives a release.
        const { delay, until } = gate.backOff();
        logger.warn(
          { event: 'dispatch.ambiguous', size: records.length, retryInMs: delay, message: outcome.message },
          'no answer to a request: its records are in doubt and sent again after a back-off',
        );
        if (place === 'top') {
          // Read back at once, beside the back-off that holds sending.
          await handDoubts(records, claim);
          throw new EndPass(until);
        }
        await claim.waitOut(delay);
        return false;
      }
      default:
        return false;
    }
  }

  /** Sends one planned group until it is settled (or the pass ends). */
  async function deliver(send: PlannedSend, pass: PassTools): Promise<void> {
    let records = send.records;
    for (;;) {
      pass.stopCheck();
      records = await pass.inTime(records);
      if (records.length === 0) return;
      const outcome = await pass.send(records);
      if (outcome.kind === 'too-many') {
        const half = Math.ceil(records.length / 2);
        await deliver({ ...send, records: records.slice(0, half) }, pass);
        await deliver({ ...send, records: records.slice(half) }, pass);
        return;
      }
      if (outcome.kind === 'records-refused') return refused(send, records, outcome.message, pass);
      if (await pass.answer(outcome, records, 'top')) return;
    }
  }

  /** A refused request: several records are isolated; one alone is judged, or given back unjudged (the breaker). */
  async function refused(send: PlannedSend, records: StoredRecord[], message: string, pass: PassTools): Promise<void> {
    gate.onRefused();
    if (records.length > 1) return isolateRefused(records, message, pass);
    const r = records[0]!;
    if (send.apart || gate.refusedAlone(book.inDoubt(r)) === 'judge') return settler.refusedAlone(r, message, pass.claim.held);
    const { notBefore, pausedUntil } = gate.retryUnproven(message);
    await pass.claim.release([r.id], notBefore);
    if (pausedUntil !== null) throw new EndPass(pausedUntil, false);
  }

  /** Claims a failed pass could not give back (the ledger was failing too): given back before anything else. */
  const unreleased: Claim[] = [];

  /** One claim and everything it leads to. Returns when to look again (null: on the next insert). */
  async function pass(): Promise<number | null> {
    while (unreleased.length > 0) {
      await unreleased[0]!.releaseAll(0);
      unreleased.shift();
    }
    const summary = await housekeeping.run();
    const t = now();
    const closedUntil = gate.closedUntil(t);
    if (closedUntil !== null) return closedUntil;
    if (summary.count === 0) return store.nextWakeAt(t);
    if (!gate.paused && summary.count < batchMax && summary.oldestReceivedAt !== null && summary.oldestReceivedAt + flushMs > t) {
      return summary.oldestReceivedAt + flushMs;
    }
    // While paused, one small request probes whether the account works again.
    const claimed = await store.claim({ owner, limit: gate.paused ? 1 : batchMax, leaseMs, now: t });
    if (claimed.length === 0) return store.nextWakeAt(t);
    const claim = new Claim({ store, owner, leaseMs, now, sleep: loop.sleep }, claimed, t);
    const tools: PassTools = {
      claim,
      stopCheck: () => {
        if (loop.stopping) throw new EndPass(0);
      },
      inTime: (records) => settler.inTime(records, claim.held),
      send: async (records) => {
        await claim.renew();
        return courier.send(records);
      },
      answer: (outcome, records, place) => answer(outcome, records, claim, place),
    };
    try {
      await book.regroup(claimed, (ids) => store.lostRequestsOf(ids));
      const toSend = await handDoubts(claimed, claim);
      const beliefs = await store.beliefs([...new Set(toSend.map((r) => keyOf(r)))]);
      const plan = planSends(toSend, beliefs, { now: t, inDoubt: (r) => book.inDoubt(r) });
      await settler.expire(plan.expired, claim.held);
      for (const send of plan.sends) {
        if (send.apart) {
          logger.info({ event: 'dispatch.apart', size: send.records.length, why: send.apart }, 'records sent apart from the batch');
        }
        await deliver(send, tools);
      }
    } catch (e) {
      if (!(e instanceof EndPass)) {
        // The ledger failed mid-pass (a database gone, a full disk): the records go back as soon as it
        // takes the release, not when the lease runs out. Any sent is in doubt by its line.
        await claim.releaseAll(0).catch(() => unreleased.push(claim));
        throw e;
      }
      await claim.releaseAll(e.notBefore);
      return e.notBefore > now() ? e.notBefore : 0;
    }
    await claim.releaseAll(0);
    return 0;
  }

  return {
    start: () => {
      loop.start();
      checks?.start();
    },
    stop: async () => {
      await loop.stop();
      await checks?.stop();
    },
    status: () => ({
      running: loop.running,
      paused: gate.paused ? { ...gate.paused } : null,
      heldByOperator: gate.heldByOperator ? { ...gate.heldByOperator } : null,
      backoffUntil: gate.backoffUntil(now()),
      lastOutcome: courier.lastOutcome ? { ...courier.lastOutcome } : null,
      inFlight: courier.inFlight,
      pending: housekeeping.pending,
      oldestPendingAgeMs: housekeeping.oldestPendingAgeMs,
      requests: courier.requests,
    }),
    kick: () => loop.kick(),
    pause: () => {
      gate.holdByOperator();
    },
    resume: () => {
      if (gate.releaseByOperator()) loop.kick();
    },
  };
}
