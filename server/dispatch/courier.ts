import { randomUUID } from 'node:crypto';
import type { IysRecord } from '../../shared/iys-record.ts';
import type { ConsentSender, OutcomeKind, SendOutcome } from '../iletimerkezi/outcome.ts';
import type { Attempt, ConsentStore, StoredRecord } from '../stores/store.ts';
import type { DoubtBook } from './doubt-book.ts';
import { SENDING } from './doubt.ts';
import type { Emit } from './events.ts';

export type LastOutcome = { kind: OutcomeKind; code: number | null; message: string; at: number; size: number };

export type CourierOptions = {
  store: Pick<ConsentStore, 'logAttempt'>;
  sender: ConsentSender;
  now: () => number;
  emit: Emit;
  book: DoubtBook;
};

const iysRecordOf = (r: StoredRecord): IysRecord => ({
  recipient: r.recipient, recipientType: r.recipientType, type: r.type, status: r.status, source: r.source, consentDate: r.consentDate,
});

/** Makes the requests to iletiMerkezi, each with its two attempt lines in the ledger. */
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
    emit({ type: 'request', outcome: outcome.kind, code: outcome.code, size, ms: at - sentAt });
    // Records in doubt keep it in the ledger with every later line: it must outlive this process. An
    // accepted answer's line says the records are stored, for a crash before markRegistered (doubt.ts).
    const attempt: Attempt = { at, outcome: outcome.kind, code: outcome.code, message: outcome.message, batchSize: size, counted: false, requestId };
    if (outcome.kind === 'accepted') {
      await store.logAttempt(ids, { ...attempt, doubt: 'stored' });
    } else {
      const lost = ids.filter((id) => book.isLost(id));
      const clear = ids.filter((id) => !book.isLost(id));
      if (clear.length) await store.logAttempt(clear, { ...attempt, doubt: null });
      if (lost.length) await store.logAttempt(lost, { ...attempt, doubt: 'lost' });
    }
    return outcome;
  }
}
