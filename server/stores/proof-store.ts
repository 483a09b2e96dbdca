/**
 * The ledger's part of the proof that a person consented (issue 16): the notice registry (the exact
 * texts the operator registered) and the nonces of the signed form tokens already used. Both live
 * in the ledger, so every collector sharing it sees the same texts and refuses the same replays.
 * Each store gives its own (sqlite-proof.ts, postgres-proof.ts) through ConsentStore.proof().
 */

/** One registered consent text: written once, never changed. */
export type RegisteredNotice = {
  version: string;
  lang: string;
  /** Exactly as registered. */
  text: string;
  /** `sha256:` + hex of the text as the widget hashes it (shared/notice-text.ts). */
  hash: string;
  registeredAt: number;
};

/** What using a form token's nonce found: first use, a resend of the consent it was used for, or a replay. */
export type NonceUse = 'first' | 'same-consent' | 'reused';

export interface ProofStore {
  /**
   * Registers a text unless its version and language are registered already: `created` false then,
   * with the text that is (the caller compares: the same text is a repeat, another one a conflict).
   */
  registerNotice(notice: RegisteredNotice): Promise<{ created: boolean; notice: RegisteredNotice }>;
  /** Every language of one version, by language. */
  noticesOf(version: string): Promise<RegisteredNotice[]>;
  /** The registered texts that hash to `hash` (several versions may hold the same words), oldest first. */
  noticesByHash(hash: string): Promise<RegisteredNotice[]>;
  /** Every registered text, by version then language. */
  allNotices(): Promise<RegisteredNotice[]>;
  /**
   * Records a form token's nonce as used for the consent named by `idempotencyKey` until `expiresAt`
   * (epoch ms, when its token expires); nonces whose token expired before `now` are forgotten.
   */
  useNonce(nonce: string, idempotencyKey: string | null, expiresAt: number, now: number): Promise<NonceUse>;
  /** How the records' notices compared with the registered texts: records per judgement and matched version (the console's registry panel). */
  noticeMatchCounts(): Promise<NoticeMatchCount[]>;
}

/** One group of noticeMatchCounts(): `match` null for records nothing judged (batches, records from before the registry). */
export type NoticeMatchCount = { match: 'matched' | 'unmatched' | 'no-notice' | null; registered: string | null; records: number };

/** The count's query; observed records (İYS's, never shown a notice by us) are left out. */
export const noticeMatchCountsSql = (records: string) =>
  `SELECT notice_match, notice_registered, COUNT(*) AS n FROM ${records} WHERE observed_by IS NULL GROUP BY notice_match, notice_registered`;

export const rowToMatchCount = (r: { notice_match: string | null; notice_registered: string | null; n: number | string }): NoticeMatchCount => ({
  match: r.notice_match as NoticeMatchCount['match'], registered: r.notice_registered, records: Number(r.n),
});

/** The answer of useNonce when the nonce was there already. */
export function nonceAgain(storedKey: string | null, idempotencyKey: string | null): NonceUse {
  return storedKey !== null && storedKey === idempotencyKey ? 'same-consent' : 'reused';
}

/** Forget expired nonces at most this often per process: a DELETE per consent would cost a write each. */
export const NONCE_PURGE_EVERY_MS = 60_000;

export type NoticeRow = { version: string; lang: string; text: string; hash: string; registered_at: number | string };

export const rowToNotice = (r: NoticeRow): RegisteredNotice => ({
  version: r.version, lang: r.lang, text: r.text, hash: r.hash, registeredAt: Number(r.registered_at),
});
