import type { Attempt, ConsentStore, StoredRecordWithEvidence } from '../stores/store.ts';

/** One recipient's records (byRecipient's order) and each record's attempt lines. */
export type RecipientRecords = { records: StoredRecordWithEvidence[]; attemptsOf: Map<string, Attempt[]> };

/** Every record of a normalised recipient with its attempt lines; null when the ledger has none. */
export async function recordsOfRecipient(store: ConsentStore, recipient: string): Promise<RecipientRecords | null> {
  const records = await store.byRecipient(recipient);
  if (records.length === 0) return null;
  const attempts = await Promise.all(records.map(async (r) => [r.id, await store.attemptsOf(r.id)] as const));
  return { records, attemptsOf: new Map(attempts) };
}

/** The recipient of record `ref`, the console's way to name a person without their number in a URL. */
export async function recordsOfRef(store: ConsentStore, ref: string): Promise<RecipientRecords | null> {
  const [record] = await store.byIds([ref]);
  return record ? recordsOfRecipient(store, record.recipient) : null;
}
