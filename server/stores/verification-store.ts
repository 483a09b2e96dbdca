import type { VerificationState } from '../../shared/verification.ts';
import type { NewRecord, NewVerification, Verification } from './store.ts';
import { numeric, numericOrNull } from './row-mapping.ts';

// The types (NewVerification, Verification, VerificationStore) live in store.ts beside ConsentStore,
// whose verifications() returns one: imported from here, they made an import cycle.
export type { NewVerification, Verification, VerificationStore } from './store.ts';

/** A `verifications` row as either driver returns it (PostgreSQL's BIGINT as text). */
export type VerificationRow = {
  id: string; recipient: string; channels: string; idempotency_key: string; records: string; code_hash: string;
  state: VerificationState; reason: string | null; attempts: number | string; created_at: number | string;
  expires_at: number | string; sent_at: number | string | null; message_id: string | null;
  verified_at: number | string | null; record_ids: string | null;
};

export const VERIFICATION_INSERT_COLUMNS = ['id', 'recipient', 'channels', 'idempotency_key', 'records', 'code_hash', 'state', 'created_at', 'expires_at'] as const;

export function verificationInsertValues(v: NewVerification): unknown[] {
  return [v.id, v.recipient, v.channels, v.idempotencyKey, JSON.stringify(v.records), v.codeHash, 'awaiting-verification', v.createdAt, v.expiresAt];
}

export function rowToVerification(row: VerificationRow): Verification {
  return {
    id: row.id,
    recipient: row.recipient,
    channels: row.channels,
    idempotencyKey: row.idempotency_key,
    records: JSON.parse(row.records) as NewRecord[],
    codeHash: row.code_hash,
    state: row.state,
    reason: row.reason,
    attempts: numeric(row.attempts),
    createdAt: numeric(row.created_at),
    expiresAt: numeric(row.expires_at),
    sentAt: numericOrNull(row.sent_at),
    messageId: row.message_id,
    verifiedAt: numericOrNull(row.verified_at),
    recordIds: row.record_ids === null ? [] : (JSON.parse(row.record_ids) as string[]),
  };
}
