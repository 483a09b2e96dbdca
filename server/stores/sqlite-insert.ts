import type Database from 'better-sqlite3';
import { recordsFingerprint, replayOrRefuse } from './idempotency.ts';
import { newRecordId } from './record-id.ts';
import { insertValues } from './row-mapping.ts';
import type { InsertResult, NewRecord } from './store.ts';

export type InsertStatements = { findIdempotency: Database.Statement; insertRecord: Database.Statement; insertIdempotency: Database.Statement };

/**
 * One caller's records and idempotency key, inside a transaction the caller holds (the group
 * commit's savepoint, or a verification's own transaction): a key seen before answers its first ids
 * or throws IdempotencyKeyReusedError.
 */
export function insertInTransaction(s: InsertStatements, records: NewRecord[], idempotencyKey: string | null, now: number): InsertResult {
  const fingerprint = idempotencyKey === null ? null : recordsFingerprint(records);
  if (idempotencyKey !== null) {
    const seen = s.findIdempotency.get(idempotencyKey) as { ids: string; fingerprint: string | null } | undefined;
    if (seen) return replayOrRefuse(idempotencyKey, seen, fingerprint!);
  }
  const ids: string[] = [];
  for (const rec of records) {
    const id = newRecordId(now);
    s.insertRecord.run(insertValues(id, rec, idempotencyKey));
    ids.push(id);
  }
  if (idempotencyKey !== null) s.insertIdempotency.run(idempotencyKey, JSON.stringify(ids), now, fingerprint);
  return { ids, duplicate: false };
}
