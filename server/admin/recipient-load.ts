import type { RegisteredNotice } from '../stores/proof-store.ts';
import type { Attempt, ConsentStore, StoredRecordWithEvidence } from '../stores/store.ts';

/**
 * One recipient's records (byRecipient's order), each record's attempt lines, and the registered
 * notice texts its consents matched (by version then language).
 */
export type RecipientRecords = { records: StoredRecordWithEvidence[]; attemptsOf: Map<string, Attempt[]>; notices: RegisteredNotice[] };

/** Every record of a normalised recipient with its attempt lines; null when the ledger has none. */
export async function recordsOfRecipient(store: ConsentStore, recipient: string): Promise<RecipientRecords | null> {
  const records = await store.byRecipient(recipient);
  if (records.length === 0) return null;
  const attempts = await Promise.all(records.map(async (r) => [r.id, await store.attemptsOf(r.id)] as const));
  return { records, attemptsOf: new Map(attempts), notices: await matchedNotices(store, records) };
}

/** The recipient of record `ref`, the console's way to name a person without their number in a URL. */
export async function recordsOfRef(store: ConsentStore, ref: string): Promise<RecipientRecords | null> {
  const [record] = await store.byIds([ref]);
  return record ? recordsOfRecipient(store, record.recipient) : null;
}

/** The registered texts the records matched: those of each matched hash under the version the match named. */
async function matchedNotices(store: ConsentStore, records: StoredRecordWithEvidence[]): Promise<RegisteredNotice[]> {
  const wanted = new Map<string, Set<string>>();
  for (const { evidence: e } of records) {
    if (e.noticeMatch !== 'matched' || !e.noticeHash || !e.noticeRegistered) continue;
    wanted.set(e.noticeHash, (wanted.get(e.noticeHash) ?? new Set()).add(e.noticeRegistered));
  }
  const found = await Promise.all([...wanted].map(async ([hash, versions]) =>
    (await store.proof().noticesByHash(hash)).filter((n) => versions.has(n.version))));
  const unique = new Map(found.flat().map((n) => [`${n.version}\u0000${n.lang}`, n]));
  return [...unique.values()].sort((a, b) => (a.version === b.version ? a.lang.localeCompare(b.lang) : a.version < b.version ? -1 : 1));
}
