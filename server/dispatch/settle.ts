import { maskRecipient } from '../../shared/recipient.ts';
import { SEND_MARGIN_MS } from '../../shared/sendability.ts';
import { DEADLINE_HOURS } from '../../shared/turkey-time.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { EXPIRED_REASON, isExpired } from './deadline.ts';
import type { DoubtBook } from './doubt-book.ts';
import { TAKEN_AS_STORED } from './doubt.ts';
import type { Emit } from './events.ts';

export type SettlerOptions = {
  store: Pick<ConsentStore, 'markRegistered' | 'markRejected' | 'markExpired'>;
  logger: Logger;
  now: () => number;
  emit: Emit;
  book: DoubtBook;
  /**
   * A record refused alone and not in doubt, offered to the read-back lane before it is rejected:
   * true when the lane took it (it rejects it with İYS's record in the reason, off the send pass).
   */
  handOver?: (r: StoredRecord, message: string, held: Set<string>) => Promise<boolean>;
};

/**
 * The final states of records (registered, rejected, expired), each with its log line and event. A
 * settled record leaves the pass's `held` ids (when a pass holds it) and the doubt book. Records
 * İYS accepted were registered by the courier with the answer's line; the rest are written here.
 */
export class Settler {
  constructor(private readonly opts: SettlerOptions) {}

  /** Records İYS accepted (the courier registered them in the ledger with its answer's line). */
  accepted(records: StoredRecord[], held?: Set<string>): void {
    const ids = records.map((r) => r.id);
    const at = this.opts.now();
    this.settled(ids, held);
    this.opts.emit({ type: 'registered', count: ids.length, latenciesMs: records.map((r) => at - r.receivedAt) });
  }

  async expire(records: StoredRecord[], held?: Set<string>): Promise<void> {
    if (records.length === 0) return;
    const { store, logger, now, emit } = this.opts;
    await store.markExpired(records.map((r) => r.id), EXPIRED_REASON, now());
    this.settled(records.map((r) => r.id), held);
    logger.error(
      { event: 'dispatch.expired', count: records.length, sample: maskRecipient(records[0]!.recipient) },
      `${records.length} record(s) came within ${SEND_MARGIN_MS / 60_000} minutes of the ${DEADLINE_HOURS}-hour deadline before they could be sent: marked expired`,
    );
    emit({ type: 'expired', count: records.length });
  }

  /** Expires the records whose deadline has come; returns the rest. */
  async inTime(records: StoredRecord[], held: Set<string>): Promise<StoredRecord[]> {
    const t = this.opts.now();
    const late = records.filter((r) => isExpired(r, t));
    if (late.length === 0) return records;
    await this.expire(late, held);
    return records.filter((r) => !isExpired(r, t));
  }

  /** A record refused on its own: rejected, unless a lost request may have stored it (then the refusal is the duplicate). */
  async refusedAlone(r: StoredRecord, message: string, held: Set<string>): Promise<void> {
    const { logger, book } = this.opts;
    if (book.inDoubt(r)) {
      await this.takenAsStored([r], TAKEN_AS_STORED, held);
      logger.warn({ event: 'dispatch.doubt-resolved', recipient: maskRecipient(r.recipient), type: r.type }, TAKEN_AS_STORED);
      return;
    }
    if (await this.opts.handOver?.(r, message, held)) return;
    await this.rejected(r, message, held);
  }

  /** A record İYS refused, rejected with `reason` (the answer's message, or what read-back found). */
  async rejected(r: StoredRecord, reason: string, held?: Set<string>): Promise<void> {
    const { store, logger, now, emit } = this.opts;
    await store.markRejected([r.id], reason, now());
    this.settled([r.id], held);
    logger.warn({ event: 'dispatch.rejected', recipient: maskRecipient(r.recipient), type: r.type, status: r.status, message: reason }, 'İYS refused a record');
    emit({ type: 'rejected', count: 1 });
  }

  /** Records in doubt judged stored by a lost request: registered, with a line saying why (`message`), in one write. */
  async takenAsStored(records: StoredRecord[], message: string, held?: Set<string>): Promise<void> {
    const at = this.opts.now();
    await this.opts.store.markRegistered(records.map((r) => r.id), at, { at, outcome: 'resolved', code: null, message, batchSize: records.length });
    this.accepted(records, held);
  }

  private settled(ids: string[], held: Set<string> | undefined): void {
    for (const id of ids) held?.delete(id);
    this.opts.book.forget(ids);
  }
}
