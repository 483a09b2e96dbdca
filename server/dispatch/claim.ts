import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { leaseRenewal } from './loop.ts';

export type Lease = {
  store: Pick<ConsentStore, 'extendLease' | 'release'>;
  /** This process's name in leases. */
  owner: string;
  leaseMs: number;
  now: () => number;
  /** The loop's sleep inside a pass (only stop cuts it short). */
  sleep: (ms: number) => Promise<void>;
};

/** The records one pass holds under its lease: settled ones leave `held`, the rest are given back. */
export class Claim {
  readonly held: Set<string>;
  /** Extends the lease when due (leaseRenewal); called before every request of the pass. */
  readonly renew: () => Promise<void>;

  constructor(private readonly lease: Lease, records: readonly StoredRecord[], takenAt: number) {
    this.held = new Set(records.map((r) => r.id));
    this.renew = leaseRenewal(lease.leaseMs, lease.now, takenAt, (until) => lease.store.extendLease([...this.held], lease.owner, until));
  }

  /**
   * A back-off inside an isolation. Its progress (records found bad, the grouping of a lost request
   * that lets a few probes settle it) lives in the pass, so the pass waits rather than ends; the
   * lease is extended over the wait so no other process takes the records meanwhile.
   */
  async waitOut(delay: number): Promise<void> {
    const { store, owner, leaseMs, now, sleep } = this.lease;
    await store.extendLease([...this.held], owner, now() + delay + leaseMs);
    await sleep(delay);
  }

  /** Gives records back, claimable again from `notBefore` (epoch ms; 0: at once). */
  async release(ids: string[], notBefore: number): Promise<void> {
    if (ids.length === 0) return;
    await this.lease.store.release(ids, this.lease.owner, notBefore);
    for (const id of ids) this.held.delete(id);
  }

  /** Gives back every record still held. */
  releaseAll(notBefore: number): Promise<void> {
    return this.release([...this.held], notBefore);
  }
}
