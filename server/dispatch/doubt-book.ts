import type { StoredRecord } from '../stores/store.ts';
import { isInDoubt } from './doubt.ts';

type Doubted = Pick<StoredRecord, 'id' | 'doubt' | 'state'>;

/**
 * What this process knows of lost requests (requests that got no answer), beyond the ledger's
 * `doubt` mark: for each record, the lost requests that carried it, each as the set of its ids.
 *
 * Batches are atomic, so once any record of a lost request is accepted, that request cannot have
 * been stored (strict), or duplicates are accepted anyway (lenient): that one request's doubt is
 * lifted for all its records. A record stays in doubt while any of its lost requests is unresolved.
 * Every request has an id on its attempt lines, so after a crash the groups are rebuilt from the
 * ledger (regroup); each lost request's set is kept once, by that id.
 */
export class DoubtBook {
  private readonly doubt = new Map<string, Set<string>[]>();
  private readonly lostRequests = new Map<string, Set<string>>();
  /** Records whose doubt was lifted here: the ledger's mark lags behind and is not believed. */
  private readonly cleared = new Set<string>();

  /** Whether İYS may hold the record: by a lost request known here, or else by the ledger's mark. */
  inDoubt(r: Doubted): boolean {
    return !this.cleared.has(r.id) && (this.doubt.has(r.id) || isInDoubt(r));
  }

  /** Whether a lost request of the record is unresolved here: its attempt lines then say `lost`. */
  isLost(id: string): boolean {
    return this.doubt.has(id);
  }

  /** A request got no answer: its records are in doubt again, whatever was lifted before. */
  lost(requestId: string, ids: string[]): void {
    this.add(requestId, ids);
    for (const id of ids) this.cleared.delete(id);
  }

  /**
   * Claimed records the ledger marks in doubt but this book has no group for (another process,
   * dead or alive, lost their request): their lost requests are read back from the attempts, so an
   * acceptance of any member lifts the doubt and the probes of the isolation apply, as if this
   * process had sent them. Records cleared here stay cleared: the ledger's mark lags behind.
   */
  async regroup(claimed: readonly Doubted[], lostRequestsOf: (ids: string[]) => Promise<Map<string, string[]>>): Promise<void> {
    const unknown = claimed.filter((r) => isInDoubt(r) && !this.doubt.has(r.id) && !this.cleared.has(r.id)).map((r) => r.id);
    if (unknown.length === 0) return;
    for (const [requestId, members] of await lostRequestsOf(unknown)) this.add(requestId, members);
  }

  /** Records accepted: every lost request that carried one of them was not stored (see above). */
  lift(accepted: readonly Pick<StoredRecord, 'id'>[]): void {
    for (const r of accepted) {
      for (const lost of this.doubt.get(r.id) ?? []) this.liftRequest(lost);
    }
  }

  /** The lost requests that carried a record and are unresolved here, each with the ids it carried. */
  lostOf(id: string): Array<{ requestId: string; members: ReadonlySet<string> }> {
    const mine = this.doubt.get(id) ?? [];
    return [...this.lostRequests].filter(([, members]) => mine.includes(members)).map(([requestId, members]) => ({ requestId, members }));
  }

  /** One lost request was shown unstored (read back from İYS): its doubt is lifted for all its records. */
  notStored(requestId: string): void {
    const lost = this.lostRequests.get(requestId);
    if (lost) this.liftRequest(lost);
  }

  private liftRequest(lost: Set<string>): void {
    for (const member of lost) {
      const left = (this.doubt.get(member) ?? []).filter((l) => l !== lost);
      if (left.length > 0) this.doubt.set(member, left);
      else {
        this.doubt.delete(member);
        this.cleared.add(member);
      }
    }
  }

  /** Whether the records are all in doubt by one and the same lost request, and by no other. */
  oneLostRequest(records: readonly Pick<StoredRecord, 'id'>[]): boolean {
    const lost = this.doubt.get(records[0]?.id ?? '')?.[0];
    return lost !== undefined && records.every((r) => this.doubt.get(r.id)?.length === 1 && this.doubt.get(r.id)![0] === lost);
  }

  /**
   * Records reached a final state: the book holds nothing about them any more, so a long-running
   * process does not grow with every lost answer it ever met.
   */
  forget(ids: readonly string[]): void {
    for (const id of ids) {
      this.doubt.delete(id);
      this.cleared.delete(id);
    }
    for (const [requestId, members] of this.lostRequests) {
      if (![...members].some((m) => this.doubt.has(m))) this.lostRequests.delete(requestId);
    }
  }

  /** Entries held (records and lost requests): what forget() keeps from growing. */
  get size(): number {
    return this.doubt.size + this.cleared.size + this.lostRequests.size;
  }

  /** Notes one lost request (once per request id) for each record it carried. */
  private add(requestId: string, ids: readonly string[]): void {
    if (this.lostRequests.has(requestId)) return;
    const lost = new Set(ids);
    this.lostRequests.set(requestId, lost);
    for (const id of ids) this.doubt.set(id, [...(this.doubt.get(id) ?? []), lost]);
  }
}
