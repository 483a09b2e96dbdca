import { CHANNELS, RECIPIENT_TYPES, RECORD_STATES, STATUSES } from '../../shared/enums.ts';
import { VERIFICATION_STATES } from '../../shared/verification.ts';
import { ATTEMPT_OUTCOMES, DOUBTS, NOTICE_MATCHES } from './store.ts';
import { READBACK_COLUMNS, READBACK_INDEXES } from './schema-readback.ts';

/**
 * The ledger's schema, defined once. Both dialects derive from it their table DDL, migrations,
 * immutability triggers, CHECK lists, insert and select column lists (sqlite-schema.ts,
 * postgres-schema.ts, migrations.ts), and row-mapping.ts its row types.
 *
 * History stays append-only: every column, index and CHECK names the schema step that brought it,
 * and each dialect maps its migration versions to steps. A new ledger runs every step, so it ends
 * with the layout an old ledger reaches by migrating. Changing a fact means adding a step: a new
 * column or index needs only its `since`; a CHECK on an existing column its `checkSince`; a column
 * becoming immutable only the step itself (every migration recreates the guards from the current list).
 * A CHECK list that grows (a new channel in shared/enums.ts) needs a step that rebuilds the CHECK:
 * until one does, the migration tests find old and new ledgers laid out differently.
 */
export const SCHEMA_STEPS = [
  'ledger',        // the first layout: records, attempts, idempotency, the guards
  'fingerprints',  // what each idempotency key stood for (recordsFingerprint)
  'live-key',      // latestOfKeys: the latest live (pending or registered) record of a key
  'request-ids',   // which request each attempt line belongs to (lostRequestsOf after a crash)
  'doubt',         // doubt as data (store.ts, DOUBTS), no longer a prefix of `reason`
  'outcome-check', // attempts.outcome checked against ATTEMPT_OUTCOMES; seq, consent_ms, deadline_at guarded
  'probe',         // the one-row table probeWrite() upserts to prove the ledger takes writes
  'requeue',       // requeue_of: a new pending record standing for a rejected or expired one; attempts by time (the console)
  'verification',  // the SMS code double opt-in: consents awaiting their code (verifications), a record's verification evidence
  'proof',         // the notice registry, the form tokens' used nonces; each record's notice match and token age
  'readback',      // what look-ups in İYS found (confirmed_at, check_*), and observed records İYS holds that the collector did not send
] as const;
export type SchemaStep = (typeof SCHEMA_STEPS)[number];

/** Whether what came with step `since` exists once step `at` has run. */
export const existsAt = (since: SchemaStep, at: SchemaStep): boolean => SCHEMA_STEPS.indexOf(since) <= SCHEMA_STEPS.indexOf(at);

/** serial: the row's own increasing number (SQLite's rowid); bigint: epoch ms; integer: counts and codes. */
export type ColumnType = 'serial' | 'text' | 'integer' | 'bigint';

export type ColumnSpec = {
  readonly name: string;
  readonly type: ColumnType;
  /** NULL allowed; otherwise NOT NULL (a primary key is never null). */
  readonly nullable?: true;
  readonly primaryKey?: true;
  readonly unique?: true;
  readonly default?: number;
  readonly references?: { readonly table: string; readonly column: string };
  /** CHECK (name IN oneOf). */
  readonly oneOf?: readonly string[];
  /** Written by insert(). */
  readonly insert?: true;
  /** Never changed once written: the guards refuse any update of it. */
  readonly immutable?: true;
  /** Read into the row types (row-mapping.ts). */
  readonly read?: true;
  /** Audit evidence only: read back by lookups and exports, never by the dispatcher (OUTBOX_COLUMNS). */
  readonly evidence?: true;
  /** The step that added the column; default: the table's. */
  readonly since?: SchemaStep;
  /** The step that added its CHECK, when later than the column. */
  readonly checkSince?: SchemaStep;
};

export type TableSpec = { readonly name: string; readonly since: SchemaStep; readonly columns: readonly ColumnSpec[] };

export type IndexSpec = {
  readonly name: string;
  readonly table: string;
  /** The indexed expressions; `postgresOn` where PostgreSQL needs the sort order spelt out. */
  readonly on: string;
  readonly postgresOn?: string;
  /** A partial index's condition. */
  readonly where?: string;
  readonly unique?: true;
  readonly since: SchemaStep;
};

/** Identity and evidence: written at insert, read back, never changed. */
const KEPT = { insert: true, immutable: true, read: true } as const;
const EVIDENCE = { ...KEPT, evidence: true } as const;

export const RECORDS = {
  name: 'records',
  since: 'ledger',
  columns: [
    { name: 'seq', type: 'serial', immutable: true, read: true },
    { name: 'id', type: 'text', unique: true, ...KEPT },
    { name: 'key', type: 'text', ...KEPT },
    { name: 'recipient', type: 'text', ...KEPT },
    { name: 'recipient_type', type: 'text', oneOf: RECIPIENT_TYPES, ...KEPT },
    { name: 'type', type: 'text', oneOf: CHANNELS, ...KEPT },
    { name: 'status', type: 'text', oneOf: STATUSES, ...KEPT },
    { name: 'source', type: 'text', ...KEPT },
    { name: 'consent_date', type: 'text', ...KEPT },
    { name: 'consent_ms', type: 'bigint', ...KEPT },
    { name: 'deadline_at', type: 'bigint', ...KEPT },
    { name: 'received_at', type: 'bigint', ...KEPT },
    // Changes only from pending, once (the guards' second rule).
    { name: 'state', type: 'text', oneOf: RECORD_STATES, insert: true, read: true },
    { name: 'reason', type: 'text', nullable: true, read: true },
    { name: 'attempts', type: 'integer', default: 0, insert: true, read: true },
    // Written at insert only by an observed record (read-back), which İYS already holds.
    { name: 'registered_at', type: 'bigint', nullable: true, insert: true, read: true },
    { name: 'settled_at', type: 'bigint', nullable: true },
    { name: 'lease_owner', type: 'text', nullable: true },
    { name: 'lease_until', type: 'bigint', nullable: true },
    { name: 'not_before', type: 'bigint', nullable: true },
    { name: 'raw_recipient', type: 'text', ...EVIDENCE },
    { name: 'client_consent_date', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'channels', type: 'text', ...EVIDENCE },
    { name: 'notice_version', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'notice_hash', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'notice_lang', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'page_url', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'origin', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'ip', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'user_agent', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'widget_version', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'idempotency_key', type: 'text', nullable: true, ...EVIDENCE },
    { name: 'doubt', type: 'text', nullable: true, oneOf: DOUBTS, read: true, since: 'doubt' },
    // The rejected or expired record this one was re-queued for (the console's operations); never an edit of that row.
    { name: 'requeue_of', type: 'text', nullable: true, references: { table: 'records', column: 'id' }, since: 'requeue', ...KEPT },
    // How the person proved the number is theirs (shared/verification.ts, as JSON); null without a verification.
    { name: 'verification', type: 'text', nullable: true, since: 'verification', ...EVIDENCE },
    // Whether the posted notice hash is a registered text's (NOTICE_MATCHES), and which version; null where nothing was judged.
    { name: 'notice_match', type: 'text', nullable: true, oneOf: NOTICE_MATCHES, since: 'proof', ...EVIDENCE },
    { name: 'notice_registered', type: 'text', nullable: true, since: 'proof', ...EVIDENCE },
    // How old the signed form token was when the consent arrived (a bot signal); null without one.
    { name: 'form_token_age_ms', type: 'bigint', nullable: true, since: 'proof', ...EVIDENCE },
    ...READBACK_COLUMNS,
  ],
} as const satisfies TableSpec;

/** One line per request that carried a record, and per answer or resolution (ConsentStore.logAttempt). */
export const ATTEMPTS = {
  name: 'attempts',
  since: 'ledger',
  columns: [
    { name: 'id', type: 'serial' },
    { name: 'record_id', type: 'text', references: { table: 'records', column: 'id' } },
    { name: 'at', type: 'bigint', read: true },
    { name: 'outcome', type: 'text', oneOf: ATTEMPT_OUTCOMES, checkSince: 'outcome-check', read: true },
    { name: 'code', type: 'integer', nullable: true, read: true },
    { name: 'message', type: 'text', read: true },
    { name: 'batch_size', type: 'integer', read: true },
    // Lines written before this column have none.
    { name: 'request_id', type: 'text', nullable: true, since: 'request-ids' },
  ],
} as const satisfies TableSpec;

export const IDEMPOTENCY = {
  name: 'idempotency',
  since: 'ledger',
  columns: [
    { name: 'key', type: 'text', primaryKey: true },
    { name: 'ids', type: 'text' },
    { name: 'created_at', type: 'bigint' },
    // Keys stored before this column have none and are honoured for any records (replayOrRefuse).
    { name: 'fingerprint', type: 'text', nullable: true, since: 'fingerprints' },
  ],
} as const satisfies TableSpec;

/** One row, rewritten by every probeWrite(): a committed write that proves nothing but that writes succeed. */
export const PROBE = {
  name: 'probe',
  since: 'probe',
  columns: [
    { name: 'id', type: 'integer', primaryKey: true },
    { name: 'at', type: 'bigint' },
  ],
} as const satisfies TableSpec;

/**
 * Consents posted with `verify: "sms"`, held until the person types the code (verification-store.ts).
 * Not records: nothing here is claimable, so nothing here can reach İYS; a verified one makes its
 * records (pending) and keeps their ids. Rows change as the verification goes on; only a hash of the code is kept.
 */
export const VERIFICATIONS = {
  name: 'verifications',
  since: 'verification',
  columns: [
    { name: 'id', type: 'text', primaryKey: true },
    { name: 'recipient', type: 'text' },
    { name: 'channels', type: 'text' },
    { name: 'idempotency_key', type: 'text' },
    // The records to make once verified ({record, evidence}[] as JSON), as the consent post built them.
    { name: 'records', type: 'text' },
    { name: 'code_hash', type: 'text' },
    { name: 'state', type: 'text', oneOf: VERIFICATION_STATES },
    { name: 'reason', type: 'text', nullable: true },
    { name: 'attempts', type: 'integer', default: 0 },
    { name: 'created_at', type: 'bigint' },
    { name: 'expires_at', type: 'bigint' },
    { name: 'sent_at', type: 'bigint', nullable: true },
    { name: 'message_id', type: 'text', nullable: true },
    { name: 'verified_at', type: 'bigint', nullable: true },
    { name: 'record_ids', type: 'text', nullable: true },
  ],
} as const satisfies TableSpec;

/**
 * The consent texts the operator registered (the notice registry): one exact text per version and
 * language, never changed once written (the store only inserts), shared by every collector of the ledger.
 */
export const NOTICES = {
  name: 'notices',
  since: 'proof',
  columns: [
    { name: 'version', type: 'text' },
    { name: 'lang', type: 'text' },
    { name: 'text', type: 'text' },
    // `sha256:` + hex of the text as the widget hashes it (whitespace collapsed): what a consent posts.
    { name: 'hash', type: 'text' },
    { name: 'registered_at', type: 'bigint' },
  ],
} as const satisfies TableSpec;

/** Nonces of the signed form tokens already used, until their token expires: a token is good for one consent. */
export const FORM_NONCES = {
  name: 'form_nonces',
  since: 'proof',
  columns: [
    { name: 'nonce', type: 'text', primaryKey: true },
    // The consent it was used for: a resend of that same consent (same key) may carry it again.
    { name: 'idempotency_key', type: 'text', nullable: true },
    { name: 'expires_at', type: 'bigint' },
  ],
} as const satisfies TableSpec;

/** In creation order: a table's references point to one before it. */
export const TABLES: readonly TableSpec[] = [RECORDS, ATTEMPTS, IDEMPOTENCY, PROBE, VERIFICATIONS, NOTICES, FORM_NONCES];

export const INDEXES: readonly IndexSpec[] = [
  // The claim query walks pending records by deadline; the head-of-key check looks up pending records of one key.
  { name: 'records_claim', table: 'records', on: 'deadline_at, seq', where: "state = 'pending'", since: 'ledger' },
  { name: 'records_pending_key', table: 'records', on: 'key, consent_ms, seq', where: "state = 'pending'", since: 'ledger' },
  // beliefs(): PostgreSQL's DISTINCT ON reads keys ascending, each newest first.
  {
    name: 'records_registered_key', table: 'records', on: 'key, consent_ms', postgresOn: 'key, consent_ms DESC, seq DESC',
    where: "state = 'registered'", since: 'ledger',
  },
  { name: 'records_recipient', table: 'records', on: 'recipient, consent_ms', since: 'ledger' },
  { name: 'records_received', table: 'records', on: 'received_at, seq', since: 'ledger' },
  { name: 'records_state', table: 'records', on: 'state', since: 'ledger' },
  { name: 'attempts_record', table: 'attempts', on: 'record_id, id', since: 'ledger' },
  {
    name: 'records_live_key', table: 'records', on: 'key, consent_ms, seq', postgresOn: 'key, consent_ms DESC, seq DESC',
    where: "state IN ('pending', 'registered')", since: 'live-key',
  },
  { name: 'attempts_request', table: 'attempts', on: 'request_id', where: 'request_id IS NOT NULL', since: 'request-ids' },
  // A record is re-queued at most once: a second re-queue of it (two operators at once) is refused by the ledger itself.
  { name: 'records_requeue_of', table: 'records', on: 'requeue_of', where: 'requeue_of IS NOT NULL', unique: true, since: 'requeue' },
  // requestsByHour(): the console's chart reads the last hours of attempt lines.
  { name: 'attempts_at', table: 'attempts', on: 'at', since: 'requeue' },
  // A consent post repeated (the widget's outbox) finds its verification again instead of sending another code.
  { name: 'verifications_key', table: 'verifications', on: 'idempotency_key', unique: true, since: 'verification' },
  { name: 'verifications_recipient', table: 'verifications', on: 'recipient, created_at', since: 'verification' },
  // Housekeeping's expiry walks the awaiting ones by their end.
  { name: 'verifications_due', table: 'verifications', on: 'expires_at', where: "state = 'awaiting-verification'", since: 'verification' },
  // One text per version and language (a second registration of it is refused); consents are matched by hash.
  { name: 'notices_version_lang', table: 'notices', on: 'version, lang', unique: true, since: 'proof' },
  { name: 'notices_hash', table: 'notices', on: 'hash', since: 'proof' },
  { name: 'form_nonces_expiry', table: 'form_nonces', on: 'expires_at', since: 'proof' },
  ...READBACK_INDEXES,
];

/**
 * Data a step moves by hand, in SQL both dialects speak; `records` is the table's qualified name.
 * doubt: pending records take theirs from the old marks in `reason`; the prefixes leave `reason`,
 * which keeps the plain last answer.
 */
export const DATA_STEPS: Partial<Record<SchemaStep, (records: string) => string>> = {
  doubt: (records) => `
    UPDATE ${records} SET doubt = CASE
        WHEN reason = 'sent, no answer recorded yet' THEN 'sending'
        WHEN reason LIKE '[may be stored] %' THEN 'lost'
        WHEN reason LIKE '[stored] %' OR reason LIKE '%: taken as stored by that request' THEN 'stored'
      END
      WHERE state = 'pending';
    UPDATE ${records} SET reason = substr(reason, 17) WHERE reason LIKE '[may be stored] %';
    UPDATE ${records} SET reason = substr(reason, 10) WHERE reason LIKE '[stored] %'`,
};

/** `('a', 'b')`: a list of the schema's own words (never user input) for an SQL `IN`. */
export const sqlList = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(', ')})`;

/** What the guards answer when something tries to erase or rewrite the ledger. */
export const GUARD_MESSAGES = {
  deleted: 'ledger records are never deleted',
  settled: 'only pending records change state',
  rewritten: 'ledger records are never rewritten',
} as const;

type Flag = 'insert' | 'read' | 'evidence';
type Named<Cs extends readonly ColumnSpec[], F extends Flag> = Extract<Cs[number], { readonly [K in F]: true }>['name'];

function flagged<Cs extends readonly ColumnSpec[], F extends Flag>(columns: Cs, flag: F): Named<Cs, F>[] {
  return columns.filter((c) => c[flag] === true).map((c) => c.name as Named<Cs, F>);
}

/** The columns insert() writes, in the order the insert statements list them. */
export const INSERT_COLUMNS = flagged(RECORDS.columns, 'insert');
/** The record columns every read selects (RecordRow). */
export const RECORD_COLUMNS = flagged(RECORDS.columns, 'read');
const EVIDENCE_COLUMNS: readonly string[] = flagged(RECORDS.columns, 'evidence');
/** The record columns the dispatcher reads (OutboxRow): a record without its evidence. */
export const OUTBOX_COLUMNS = RECORD_COLUMNS.filter((c) => !EVIDENCE_COLUMNS.includes(c)) as Exclude<
  (typeof RECORD_COLUMNS)[number], Named<typeof RECORDS.columns, 'evidence'>
>[];
/** The attempt columns attemptsOf() selects (AttemptRow). */
export const ATTEMPT_COLUMNS = flagged(ATTEMPTS.columns, 'read');

/** The columns of a table once step `at` has run. */
export function columnsAt(table: TableSpec, at: SchemaStep): ColumnSpec[] {
  return table.columns.filter((c) => existsAt(c.since ?? table.since, at));
}

/** The record columns the guards keep as written, once step `at` has run. */
export function immutableColumnsAt(at: SchemaStep): string[] {
  return columnsAt(RECORDS, at).filter((c) => c.immutable).map((c) => c.name);
}

/** The values a column's CHECK allows once step `at` has run, or null when it has none yet. */
export function checkAt(column: ColumnSpec, table: TableSpec, at: SchemaStep): readonly string[] | null {
  if (!column.oneOf) return null;
  return existsAt(column.checkSince ?? column.since ?? table.since, at) ? column.oneOf : null;
}

// --- row types, from the definition ---------------------------------------------------------------

type ReadValue<C extends ColumnSpec> =
  | (C extends { readonly oneOf: readonly (infer V)[] } ? V : C['type'] extends 'text' ? string : number | string)
  | (C extends { readonly nullable: true } ? null : never);
type WriteValue<C extends ColumnSpec> =
  | (C extends { readonly oneOf: readonly (infer V)[] } ? V : C['type'] extends 'text' ? string : number)
  | (C extends { readonly nullable: true } ? null : never);

/**
 * A row as a driver returns it: PostgreSQL returns BIGINT as text, SQLite as number, so every
 * number may be either (row-mapping.ts converts).
 */
export type ReadRow<T extends TableSpec> = {
  [C in Extract<T['columns'][number], { readonly read: true }> as C['name']]: ReadValue<C>;
};
/** The values insert() writes, one per insert column. */
export type InsertRow<T extends TableSpec> = {
  [C in Extract<T['columns'][number], { readonly insert: true }> as C['name']]: WriteValue<C>;
};
