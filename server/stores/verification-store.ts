import type { VerificationState } from '../../shared/verification.ts';
import type { NewRecord } from './store.ts';
import { numeric, numericOrNull } from './row-mapping.ts';

/**
 * The ledger's side of the SMS code double opt-in: consents awaiting their code (the `verifications`
 * table of schema.ts), in the same database as the records, so a restart or another collector keeps
 * them. Nothing here is a record: the dispatcher never sees a verification. Times are epoch ms.
 */
export type NewVerification = {
  id: string;
  /** Normalised (+90…). */
  recipient: string;
  channels: string;
  idempotencyKey: string;
  records: NewRecord[];
  /** `salt:hex` (verification-code.ts): never the code itself. */
  codeHash: string;
  createdAt: number;
  expiresAt: number;
};

export type Verification = Omit<NewVerification, 'records'> & {
  records: NewRecord[];
  state: VerificationState;
  reason: string | null;
  /** Codes typed so far, right or wrong. */
  attempts: number;
  sentAt: number | null;
  messageId: string | null;
  verifiedAt: number | null;
  recordIds: string[];
};

export interface VerificationStore {
  /** Stores a new one, awaiting its code; durable before it resolves. */
  create(v: NewVerification): Promise<void>;
  get(id: string): Promise<Verification | null>;
  byIdempotencyKey(key: string): Promise<Verification | null>;
  /** Every verification of one recipient, oldest first (the lookup). */
  byRecipient(recipient: string): Promise<Verification[]>;
  /** The SMS went out: when, and iletiMerkezi's id of it. */
  markSent(id: string, sentAt: number, messageId: string | null): Promise<void>;
  /** Counts one typed code; the count after it, or null when the verification no longer awaits. */
  countAttempt(id: string): Promise<number | null>;
  /** Ends one still awaiting: `verified` with the ids of the records it made, or a final state with its reason. False when it no longer awaited. */
  finish(id: string, end: { state: Exclude<VerificationState, 'awaiting-verification'>; reason: string | null; at: number; recordIds?: string[] }): Promise<boolean>;
  /** Expires those awaiting past `expiresAt` at `now` (housekeeping); how many. */
  expireDue(now: number, reason: string): Promise<number>;
  /** Counts by state (the metrics' gauge). */
  countByState(): Promise<Partial<Record<VerificationState, number>>>;
}

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
