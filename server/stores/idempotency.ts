import { createHash } from 'node:crypto';
import type { NewRecord } from './store.ts';

/**
 * What an idempotency key stands for: the records it made, as a digest. A repeat with the same key
 * and the same records is a retry (same answer); the same key with other records is a client bug
 * that must be refused, not silently answered with the first request's ids.
 *
 * The consentDate hashed is the one the CLIENT sent (evidence.clientConsentDate): the collector
 * replaces a date off its clock with the receive time, so a widget retrying minutes later would
 * otherwise hash differently although it resends the very same body. Channel order does not matter.
 */
export function recordsFingerprint(records: readonly NewRecord[]): string {
  const lines = records
    .map(({ record: r, evidence: e }) => [r.recipient, r.recipientType, r.type, r.status, r.source, e.clientConsentDate ?? r.consentDate].join('|'))
    .sort();
  return `sha256:${createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex')}`;
}

/** The same idempotency key came with different records: nothing was stored. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly idempotencyKey: string) {
    super('this idempotencyKey was already used for different records');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/**
 * The answer to a key seen before: the first ids when the records match (or when the key predates
 * fingerprints, so there is nothing to compare), else IdempotencyKeyReusedError.
 */
export function replayOrRefuse(key: string, seen: { ids: string; fingerprint: string | null }, fingerprint: string): { ids: string[]; duplicate: true } {
  if (seen.fingerprint !== null && seen.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key);
  return { ids: JSON.parse(seen.ids) as string[], duplicate: true };
}
