import type { IysView } from '../../shared/admin-api.ts';
import type { BackoffPolicy } from '../dispatch/backoff.ts';
import type { CheckLane, DispatchParts } from '../dispatch/handover.ts';
import { createLoop } from '../dispatch/loop.ts';
import type { ConsentReader, ShowOutcome } from '../iletimerkezi/outcome.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { checkRegistered } from './confirm.ts';
import type { EmitReadback, ReadbackEvent } from './events.ts';
import { explainRefusal } from './explain.ts';
import { settleLost, type LostRequest } from './lost-requests.ts';
import { Pacer } from './pacer.ts';
import type { LaneTools, Seen } from './tools.ts';
import { verifyRecipient } from './verify.ts';

/** The settings of docs/contract.md (IYS_READBACK_*, IYS_CONFIRM_*); defaults and reasons in config.ts. */
export type ReadbackSettings = {
  /** A registered record is first looked up this long after iletiMerkezi accepted it, and again as often until decided. */
  confirmDelayMs: number;
  /** Not shown by İYS this long after acceptance: flagged `unseen` and sent again while its deadline allows. */
  confirmWithinMs: number;
  /** Look-ups a second at most, whatever they are for. */
  ratePerS: number;
  /** The sweep re-checks a registered record once its last look-up is this old; 0: no sweep. */
  sweepAfterMs: number;
  /** Sweep look-ups a second at most (within ratePerS, and only when nothing more urgent waits). */
  sweepRatePerS: number;
};

export type ReadbackOptions = ReadbackSettings & {
  store: ConsentStore;
  reader: ConsentReader;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  onEvent?: (e: ReadbackEvent) => void;
  /** After a look-up without an answer; tests shorten it. */
  backoff?: BackoffPolicy;
};

export type ReadbackStatus = { running: boolean; lookups: number; queued: { refusals: number; doubts: number }; backoffUntil: number | null };

export type Readback = CheckLane & {
  status(): ReadbackStatus;
  /** İYS's current view of every recipient type and channel the ledger knows for `recipient` (the lookup's verify=1). */
  verify(recipient: string): Promise<IysView[]>;
};

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };
/** The longest the lane sleeps between looks at its work (records come due by time, not by a kick). */
const IDLE_POLL_MS = 1_000;
/** Registered records read per scan for confirmation. */
const SCAN_PAGE = 100;

/**
 * The read-back lane: look-ups in İYS (consent/show), one at a time at a bounded pace, in its own
 * loop beside the dispatcher's, so sending never waits on them. In order of urgency: records refused
 * alone (explained before they are rejected), lost requests (settled exactly), registered records due
 * for confirmation, then the sweep.
 */
export function createReadback(opts: ReadbackOptions): Readback {
  const { store, reader, logger } = opts;
  const now = opts.now ?? Date.now;
  const emit: EmitReadback = (e) => opts.onEvent?.(e);
  let parts: DispatchParts | null = null;
  let lookups = 0;
  // The dispatcher's own loop (wake, sleep, stop); the pace's waits are its stop-only sleeps, so a
  // kick never buys a look-up an early slot.
  const loop = createLoop({
    pass: () => step(),
    now,
    idlePollMs: IDLE_POLL_MS,
    wakeOn: () => () => {},
    onError: (e) => logger.error({ event: 'readback.error', err: e instanceof Error ? e.message : String(e) }, 'read-back failed; retrying'),
  });
  const kick = loop.kick;
  const pacer = new Pacer({ ratePerS: opts.ratePerS, now, sleep: (ms) => loop.sleep(ms), backoff: opts.backoff ?? DEFAULT_BACKOFF, random: opts.random ?? Math.random });

  const refusals: Array<{ r: StoredRecord; message: string }> = [];
  const doubts = new Map<string, LostRequest & { notBefore: number }>();
  /** Record id → the lost request it was taken for (held by the lane under the dispatcher's lease). */
  const takenFor = new Map<string, string>();
  /** Lost requests read-back could not settle: the dispatcher's inference decides them. */
  const unavailable = new Set<string>();
  let due: StoredRecord[] = [];
  let nextScanAt = 0;
  let nextSweepAt = 0;

  async function lookUp(key: Parameters<LaneTools['lookUp']>[0], purpose: Parameters<LaneTools['lookUp']>[1]): Promise<Seen> {
    await pacer.slot();
    const started = now();
    let outcome: ShowOutcome;
    try {
      outcome = await reader.show({ recipient: key.recipient, recipientType: key.recipientType, type: key.type });
    } catch (e) {
      // A key show() refuses to send (not normalised): nothing İYS could answer.
      outcome = { kind: 'unreadable', code: null, message: e instanceof Error ? e.message : String(e), excerpt: '' };
    }
    lookups++;
    emit({ type: 'lookup', purpose, outcome: outcome.kind, ms: now() - started });
    if (outcome.kind === 'found' || outcome.kind === 'none') {
      pacer.answered();
      return { ok: true, shown: outcome.kind === 'found' ? outcome.consent : null };
    }
    pacer.backOff(outcome.kind === 'transient' ? outcome.retryAfterMs : undefined);
    return { ok: false, outcome };
  }

  async function giveBack(ids: string[]): Promise<void> {
    if (!parts || ids.length === 0) return;
    await store.release(ids, parts.owner, 0);
    parts.kick();
  }

  const tools: LaneTools = { store, logger, now, emit, parts: () => parts, lookUp, giveBack };

  /** One lost request, settled or given back to inference. */
  async function settle(lost: LostRequest & { notBefore: number }): Promise<void> {
    const verdict = await settleLost(tools, lost);
    if (verdict === 'retry') {
      lost.notBefore = pacer.readyAt;
      return;
    }
    doubts.delete(lost.requestId);
    const held = [...takenFor].filter(([, requestId]) => requestId === lost.requestId).map(([id]) => id);
    for (const id of held) takenFor.delete(id);
    if (verdict === 'unavailable') {
      unavailable.add(lost.requestId);
      logger.warn(
        { event: 'readback.doubt-inference', requestId: lost.requestId, lookups: lost.lookups, failures: lost.failures },
        'read-back could not settle a lost request: the dispatcher decides it by inference',
      );
    }
    emit({
      type: 'doubt-resolved', method: verdict === 'unavailable' ? 'inference' : 'read-back',
      stored: verdict === 'unavailable' ? null : verdict === 'stored', lookups: lost.lookups, records: lost.members.length,
    });
    await giveBack(held);
  }

  /** One piece of work; returns when to look again (0: at once). */
  async function step(): Promise<number> {
    const refusal = refusals.shift();
    if (refusal) {
      await explainRefusal(tools, refusal.r, refusal.message);
      parts?.kick();
      return 0;
    }
    const t = now();
    const lost = [...doubts.values()].find((d) => d.notBefore <= t);
    if (lost) {
      await settle(lost);
      return 0;
    }
    if (due.length === 0 && t >= nextScanAt) {
      due = await store.dueForCheck({ registeredBefore: t - opts.confirmDelayMs, checkedBefore: t - opts.confirmDelayMs, limit: SCAN_PAGE });
      if (due.length === 0) nextScanAt = t + Math.max(50, Math.min(1000, opts.confirmDelayMs));
    }
    const r = due.shift();
    if (r) {
      if (!(await checkRegistered(tools, r, opts, 'confirmation'))) {
        due = [];
        nextScanAt = pacer.readyAt;
      }
      return 0;
    }
    if (opts.sweepAfterMs > 0 && t >= nextSweepAt) await sweepOne(t);
    return Math.min(nextScanAt, opts.sweepAfterMs > 0 ? nextSweepAt : Infinity, ...[...doubts.values()].map((d) => d.notBefore));
  }

  /**
   * The sweep: the registered record whose key was looked up longest ago (confirmed or flagged), again,
   * at its own slower pace, so a change made elsewhere (a citizen's RET) reaches the ledger without
   * anyone asking. Only when nothing more urgent waits, so it never delays the rest.
   */
  async function sweepOne(t: number): Promise<void> {
    const [oldest] = await store.sweepDue({ checkedBefore: t - opts.sweepAfterMs, limit: 1 });
    if (!oldest) {
      nextSweepAt = t + Math.min(opts.sweepAfterMs, 60_000);
      return;
    }
    nextSweepAt = t + 1000 / opts.sweepRatePerS;
    if (!(await checkRegistered(tools, oldest, opts, 'sweep'))) nextSweepAt = Math.max(nextSweepAt, pacer.readyAt);
  }

  return {
    attach(p) {
      parts = p;
    },
    takeDoubts(records) {
      const taken = new Set<string>();
      if (!parts || !loop.running || loop.stopping) return taken;
      for (const r of records) {
        if (takenFor.has(r.id)) {
          taken.add(r.id);
          continue;
        }
        const lost = parts.book.lostOf(r.id);
        const groups = lost.length > 0 ? lost.map((l) => ({ requestId: l.requestId, members: [...l.members] })) : [{ requestId: `record:${r.id}`, members: [r.id] }];
        if (groups.some((g) => unavailable.has(g.requestId))) continue;
        const g = groups[0]!;
        if (!doubts.has(g.requestId)) doubts.set(g.requestId, { ...g, lookups: 0, failures: 0, notBefore: 0 });
        takenFor.set(r.id, g.requestId);
        taken.add(r.id);
      }
      if (taken.size > 0) kick();
      return taken;
    },
    takeRefusal(r, message) {
      if (!parts || !loop.running || loop.stopping) return false;
      refusals.push({ r, message });
      kick();
      return true;
    },
    start: () => loop.start(),
    async stop() {
      if (!loop.running) return;
      await loop.stop();
      // Whatever the lane still holds goes back to be sent (in doubt, by the ledger's marks) by whoever claims it.
      const held = [...takenFor.keys(), ...refusals.splice(0).map(({ r }) => r.id)];
      takenFor.clear();
      doubts.clear();
      if (parts && held.length > 0) await store.release(held, parts.owner, 0).catch(() => undefined);
    },
    verify: (recipient) => verifyRecipient(tools, recipient),
    status: () => ({
      running: loop.running,
      lookups,
      queued: { refusals: refusals.length, doubts: doubts.size },
      backoffUntil: pacer.readyAt > now() ? pacer.readyAt : null,
    }),
  };
}
