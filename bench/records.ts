import type { IysRecord } from '../shared/iys-record.ts';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import type { ConsentStore, NewRecord } from '../server/stores/store.ts';

/** The account the benchmark sandboxes are created with; they never leave this machine. */
export const BENCH_ACCOUNT = { apiKey: 'bench-key-0001', apiHash: 'bench-hash-0001', brandCode: 777 };

/** The i-th of a series of distinct records: one key each, so a claim may take all of them. */
export function benchRecord(i: number, consentDate: string): IysRecord {
  return {
    recipient: `+90532${String(i % 10_000_000).padStart(7, '0')}`,
    recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB', consentDate,
  };
}

export function benchNewRecord(i: number, consentDate: string, receivedAt: number): NewRecord {
  const record = benchRecord(i, consentDate);
  return {
    record,
    evidence: {
      rawRecipient: record.recipient, clientConsentDate: null, receivedAt, channels: 'MESAJ',
      noticeVersion: null, noticeHash: null, noticeLang: null, pageUrl: null, origin: null, ip: null, userAgent: null,
      widgetVersion: null, idempotencyKey: null,
    },
  };
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
