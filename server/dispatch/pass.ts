import type { SendOutcome } from '../iletimerkezi/outcome.ts';
import type { StoredRecord } from '../stores/store.ts';
import type { Claim } from './claim.ts';

/** Thrown inside a pass to end it early; the records still held are given back. */
export class EndPass extends Error {
  constructor(
    readonly notBefore: number,
    /** False when the refusals seen in the pass prove nothing about the records (the circuit breaker). */
    readonly judgeFound = true,
  ) {
    super('end of pass');
  }
}

/** Where an answer came: to a planned send (the pass ends on a back-off) or inside an isolation (it waits). */
export type SendPlace = 'top' | 'isolation';

/** What the code sending inside one pass works with: the dispatcher's deliver and the isolation. */
export type PassTools = {
  claim: Claim;
  /** Ends the pass (EndPass) once stop() was asked. */
  stopCheck(): void;
  /** Expires the records whose deadline has come; returns the rest. */
  inTime(records: StoredRecord[]): Promise<StoredRecord[]>;
  /** Renews the lease when due, then makes one request (with its lines in the ledger). */
  send(records: StoredRecord[]): Promise<SendOutcome>;
  /** What every answer but a refusal does; true when the records are settled. May end the pass. */
  answer(outcome: SendOutcome, records: StoredRecord[], place: SendPlace): Promise<boolean>;
};
