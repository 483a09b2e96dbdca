import type { Logger } from '../log/logger.ts';
import type { StoredRecord } from '../stores/store.ts';
import type { AccountGate } from './account-gate.ts';
import type { DoubtBook } from './doubt-book.ts';
import { BATCH_TAKEN_AS_STORED } from './doubt.ts';
import { isolate, type IsolationResult } from './isolation.ts';
import { EndPass, type PassTools } from './pass.ts';
import type { Settler } from './settle.ts';

/** Records from elsewhere in the batch sent alone before the breaker trips inside an isolation. */
const CONTROL_PROBES = 3;
// Single-record probes that tell a stored lost request from one with a bad record; only for
// batches large enough that probing is cheaper than judging each record alone.
const DOUBT_PROBES = 4;
const PROBE_FROM = 16;

export type IsolationDeps = {
  logger: Logger;
  random: () => number;
  gate: AccountGate;
  book: DoubtBook;
  settler: Settler;
  /** Requests made so far by this process, for the log line's count. */
  requests: () => number;
};

export type IsolateRefused = (records: StoredRecord[], firstMessage: string, pass: PassTools) => Promise<void>;

/**
 * A refused batch of several records, taken apart with real sends: the group testing of
 * isolation.ts, run under the doubt rules (a record in doubt is judged only on a refusal of its own)
 * and the circuit breaker (refusals before any acceptance prove nothing).
 */
export function createIsolation(deps: IsolationDeps): IsolateRefused {
  const { logger, random, gate, book, settler } = deps;

  /**
   * A refused re-send of records that may all be stored already. Batches are atomic: if the lost
   * request was stored, every record of it is now a duplicate and would be refused alone, one
   * request each (2n with splitting). If it was not stored, some record is bad but most are good.
   * A few single records, spread over the batch, tell the two apart: one accepted proves the lost
   * request was not stored (the isolation then goes on as usual); all refused means it was, unless
   * nearly every record is bad, a chance of (bad share)^probes.
   * Returns the records still to isolate, or [] when they were all taken as stored.
   */
  async function probeLostRequest(records: StoredRecord[], pass: PassTools): Promise<StoredRecord[]> {
    const { held } = pass.claim;
    const step = records.length / DOUBT_PROBES;
    const probes = Array.from({ length: DOUBT_PROBES }, (_, i) => records[Math.floor(i * step + random() * step)]!);
    for (const probe of probes) {
      if ((await pass.inTime([probe])).length === 0) return records.filter((r) => held.has(r.id));
      for (;;) {
        pass.stopCheck();
        const outcome = await pass.send([probe]);
        if (outcome.kind === 'records-refused') break;
        if (outcome.kind === 'too-many') throw new EndPass(0);
        if (await pass.answer(outcome, [probe], 'isolation')) return records.filter((r) => r !== probe);
      }
    }
    await settler.takenAsStored(records, BATCH_TAKEN_AS_STORED, held);
    logger.warn({ event: 'dispatch.doubt-resolved', size: records.length, probes: DOUBT_PROBES }, BATCH_TAKEN_AS_STORED);
    return [];
  }

  return async function isolateRefused(allRecords, firstMessage, pass) {
    const { held } = pass.claim;
    // Only records of one lost request (known to this process or rebuilt by regroup): probes
    // of a mix of stored and unstored requests would prove nothing.
    const records = allRecords.length > PROBE_FROM && book.oneLostRequest(allRecords) ? await probeLostRequest(allRecords, pass) : allRecords;
    if (records.length === 0) return;
    let lastMessage = firstMessage;
    const started = deps.requests();
    // Judged after the isolation: an acceptance later in it may lift the doubt on a refused record.
    const refused: Array<{ r: StoredRecord; message: string }> = [];
    // A pass may end inside the isolation (an account pause, a 475, stop): the records already found
    // bad are judged then, not sent and isolated again.
    // Before any acceptance a refusal alone proves nothing (the circuit breaker): such records stay pending.
    const judge = async () => {
      for (const { r, message } of refused.splice(0)) {
        if (held.has(r.id) && (gate.proven || book.inDoubt(r))) await settler.refusedAlone(r, message, held);
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
      const candidates = records.filter((r) => held.has(r.id) && !found.has(r.id) && !book.inDoubt(r));
      for (let i = 0; i < CONTROL_PROBES && candidates.length > 0; i++) {
        const [control] = candidates.splice(Math.floor(random() * candidates.length), 1);
        if ((await pass.inTime([control!])).length === 0) continue;
        const outcome = await pass.send([control!]);
        if (outcome.kind === 'records-refused') {
          gate.controlRefused();
          continue;
        }
        if (outcome.kind === 'too-many') throw new EndPass(0);
        if (await pass.answer(outcome, [control!], 'isolation')) return true;
      }
      return false;
    };
    const test = async (all: StoredRecord[]): Promise<boolean> => {
      for (;;) {
        pass.stopCheck();
        // The deadline is checked before every send, not only the first: an isolation takes time.
        // Records registered meanwhile (an accepted control) are known good and not sent again.
        const group = await pass.inTime(all.filter((r) => held.has(r.id)));
        if (all.some((r) => held.has(r.id) && !group.includes(r))) expiredDuring = true;
        if (group.length === 0) return true;
        const outcome = await pass.send(group);
        if (outcome.kind === 'records-refused') {
          lastMessage = outcome.message;
          if (group.length === 1 && gate.refusedAlone(book.inDoubt(group[0]!)) === 'unproven' && gate.breakerDue && !(await controlAccepted(group[0]!))) {
            throw new EndPass(gate.trip(outcome.message), false);
          }
          return false;
        }
        if (outcome.kind === 'too-many') throw new EndPass(0);
        if (await pass.answer(outcome, group, 'isolation')) return true;
      }
    };
    let result: IsolationResult<StoredRecord>;
    try {
      result = await isolate(records, test, {
        knownBad: true,
        // A record that may be stored is judged only on a refusal of its own.
        confirmAlone: (r) => expiredDuring || book.inDoubt(r),
        onBad: (r) => void refused.push({ r, message: lastMessage }),
      });
    } catch (e) {
      if (e instanceof EndPass && e.judgeFound) await judge();
      throw e;
    }
    // Every record refused and none accepted, nothing known to be in doubt: the account, not the records.
    if (!gate.proven && result.good.length === 0 && refused.some(({ r }) => !book.inDoubt(r))) throw new EndPass(gate.trip(lastMessage), false);
    await judge();
    const requests = deps.requests() - started + 1;
    logger.info(
      { event: 'dispatch.isolated', size: records.length, bad: result.bad.length, requests },
      `isolated ${result.bad.length} refused record(s) among ${records.length} in ${requests} requests`,
    );
  };
}
