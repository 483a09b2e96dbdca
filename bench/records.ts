import type { IysRecord } from '../shared/iys-record.ts';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import type { ConsentStore, NewRecord } from '../server/stores/store.ts';
import { ledgerRecord, mobileOf, webRecord } from '../test/fixtures/records.ts';

/** The account the benchmark sandboxes are created with; they never leave this machine. */
export const BENCH_ACCOUNT = { apiKey: 'bench-key-0001', apiHash: 'bench-hash-0001', brandCode: 777 };

/** The i-th of a series of distinct records: one key each, so a claim may take all of them. */
export function benchRecord(i: number, consentDate: string): IysRecord {
  return webRecord(mobileOf(i), { consentDate });
}

export function benchNewRecord(i: number, consentDate: string, receivedAt: number): NewRecord {
  return ledgerRecord(benchRecord(i, consentDate), receivedAt);
}

/** Puts n pending records in the ledger, 5000 a transaction (how the batch import writes them). */
export async function fillPending(store: ConsentStore, n: number): Promise<void> {
  const now = Date.now();
  const consentDate = formatTurkeyTime(now - 60_000);
  for (let start = 0; start < n; start += 5000) {
    const chunk: NewRecord[] = [];
    for (let i = start; i < Math.min(n, start + 5000); i++) chunk.push(benchNewRecord(i, consentDate, now));
    await store.insert(chunk);
  }
}
