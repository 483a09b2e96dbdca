import { randomUUID } from 'node:crypto';
import type { IysRecord } from '../../shared/iys-record.ts';
import type { ConsentSender, OutcomeKind, SendOutcome } from '../iletimerkezi/outcome.ts';
import type { AnswerLine, ConsentStore, Doubt, StoredRecord } from '../stores/store.ts';
import type { DoubtBook } from './doubt-book.ts';
import { SENDING } from './doubt.ts';
import type { Emit } from './events.ts';

export type LastOutcome = { kind: OutcomeKind; code: number | null; message: string; at: number; size: number };

export type CourierOptions = {
  store: Pick<ConsentStore, 'logAttempt' | 'markRegistered'>;
  sender: ConsentSender;
  now: () => number;
  emit: Emit;
  book: DoubtBook;
};

const iysRecordOf = (r: StoredRecord): IysRecord => ({
  recipient: r.recipient, recipientType: r.recipientType, type: r.type, status: r.status, source: r.source, consentDate: r.consentDate,
});

/**
 * Makes the requests to iletiMerkezi, each with its two attempt lines in the ledger. An accepted
 * answer's line registers its records in the same write: every record of it is stored by İYS,
 * and no crash can part the answer from the state.
 */
export class Courier {
  /** Records in the request on the wire now (0 when idle). */
  inFlight = 0;
  requests = 0;
  lastOutcome: LastOutcome | null = null;

  constructor(private readonly opts: CourierOptions) {}

  /** One request: SENDING is logged first so a crash leaves the records marked as in doubt. */
  async send(records: StoredRecord[]): Promise<SendOutcome> {
    const { store, sender, now, emit, book } = this.opts;
    const ids = records.map((r) => r.id);
    const size = records.length;
    const requestId = randomUUID();
    await store.logAttempt(ids, { at: now(), outcome: 'sending', code: null, message: SENDING, batchSize: size, requestId, doubt: 'sending' });
    this.inFlight = size;
    let outcome: SendOutcome;
    const sentAt = now();
    try {
      outcome = await sender.send(records.map(iysRecordOf));
    } finally {
      this.inFlight = 0;
    }
    this.requests++;
    if (outcome.kind === 'ambiguous') book.lost(requestId, ids);
    const at = now();
    this.lastOutcome = { kind: outcome.kind, code: outcome.code, message: outcome.message, at, size };
    emit({ type: 'request', outcome: outcome.kind, code: outcome.code, message: outcome.message, size, ms: at - sentAt });
    const line: AnswerLine = { at, outcome: outcome.kind, code: outcome.code, message: outcome.message, batchSize: size, requestId };
    if (outcome.kind === 'accepted') {
      await store.markRegistered(ids, at, line);
    } else {
      // Only an acceptance (or the doubt book lifting it) ends a doubt, and it must outlive this
      // process: the records of a request that got no answer are `lost`, records already in doubt
      // stay as the ledger has them (a refusal of a record İYS may hold proves nothing), the rest have none.
      const byDoubt = new Map<Doubt | null | undefined, string[]>();
      for (const r of records) {
        const doubt = book.isLost(r.id) ? 'lost' : book.inDoubt(r) ? undefined : null;
        byDoubt.set(doubt, [...(byDoubt.get(doubt) ?? []), r.id]);
      }
      for (const [doubt, ids] of byDoubt) await store.logAttempt(ids, { ...line, counted: false, doubt });
    }
    return outcome;
  }
}
