/**
 * Every SQL statement of the SQLite store, in one place (as pg-boss keeps its plans). The store
 * prepares each once. Id lists travel as one JSON text parameter, expanded with json_each(), so a
 * statement never has to be re-prepared for another list length.
 */

/** Applied in order; PRAGMA user_version holds how many have run. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE records (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    key                 TEXT    NOT NULL,
    recipient           TEXT    NOT NULL,
    recipient_type      TEXT    NOT NULL CHECK (recipient_type IN ('BIREYSEL', 'TACIR')),
    type                TEXT    NOT NULL CHECK (type IN ('MESAJ', 'EPOSTA', 'ARAMA')),
    status              TEXT    NOT NULL CHECK (status IN ('ONAY', 'RET')),
    source              TEXT    NOT NULL,
    consent_date        TEXT    NOT NULL,
    consent_ms          INTEGER NOT NULL,
    deadline_at         INTEGER NOT NULL,
    received_at         INTEGER NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('pending', 'registered', 'rejected', 'expired')),
    reason              TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    registered_at       INTEGER,
    settled_at          INTEGER,
    lease_owner         TEXT,
    lease_until         INTEGER,
    not_before          INTEGER,
    raw_recipient       TEXT    NOT NULL,
    client_consent_date TEXT,
    channels            TEXT    NOT NULL,
    notice_version      TEXT,
    notice_hash         TEXT,
    notice_lang         TEXT,
    page_url            TEXT,
    origin              TEXT,
    ip                  TEXT,
    user_agent          TEXT,
    widget_version      TEXT,
    idempotency_key     TEXT
  ) STRICT;
  -- The claim query walks pending records by deadline; the head-of-key check looks up pending records of one key.
  CREATE INDEX records_claim ON records (deadline_at, seq) WHERE state = 'pending';
  CREATE INDEX records_pending_key ON records (key, consent_ms, seq) WHERE state = 'pending';
  CREATE INDEX records_registered_key ON records (key, consent_ms) WHERE state = 'registered';
  CREATE INDEX records_recipient ON records (recipient, consent_ms);
  CREATE INDEX records_received ON records (received_at, seq);
  CREATE INDEX records_state ON records (state);

  CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    record_id   TEXT    NOT NULL REFERENCES records (id),
    at          INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,
    code        INTEGER,
    message     TEXT    NOT NULL,
    batch_size  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX attempts_record ON attempts (record_id, id);

  CREATE TABLE idempotency (
    key         TEXT    PRIMARY KEY,
    ids         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;

  -- The ledger is append-only evidence: a bug elsewhere must not be able to erase or rewrite it.
  CREATE TRIGGER records_never_deleted BEFORE DELETE ON records
  BEGIN SELECT RAISE(ABORT, 'ledger records are never deleted'); END;
  CREATE TRIGGER records_final_states_stay BEFORE UPDATE OF state ON records
  WHEN OLD.state <> 'pending' AND NEW.state <> OLD.state
  BEGIN SELECT RAISE(ABORT, 'only pending records change state'); END;
  CREATE TRIGGER records_never_rewritten BEFORE UPDATE OF
    id, key, recipient, recipient_type, type, status, source, consent_date, received_at, raw_recipient,
    client_consent_date, channels, notice_version, notice_hash, notice_lang, page_url, origin, ip,
    user_agent, widget_version, idempotency_key ON records
  BEGIN SELECT RAISE(ABORT, 'ledger records are never rewritten'); END;
  `,
  // What each idempotency key stood for (recordsFingerprint): the same key with other records is refused.
  // Keys stored before this column have none and are honoured as before.
  `
  ALTER TABLE idempotency ADD COLUMN fingerprint TEXT;
  `,
  // latestOfKeys: the latest live (pending or registered) record of a key.
  `
  CREATE INDEX records_live_key ON records (key, consent_ms, seq) WHERE state IN ('pending', 'registered');
  `,
  // Which request each attempt line belongs to, so the records of a request whose answer was lost
  // can be regrouped after a crash (lostRequestsOf). Lines written before this column have none.
  `
  ALTER TABLE attempts ADD COLUMN request_id TEXT;
  CREATE INDEX attempts_request ON attempts (request_id) WHERE request_id IS NOT NULL;
  `,
  // Doubt as data (store.ts, DOUBTS): it was a prefix of `reason`. Pending records take theirs from
  // the old marks; the prefixes leave `reason`, which keeps the plain last answer.
  `
  ALTER TABLE records ADD COLUMN doubt TEXT CHECK (doubt IN ('sending', 'lost', 'stored'));
  UPDATE records SET doubt = CASE
      WHEN reason = 'sent, no answer recorded yet' THEN 'sending'
      WHEN reason LIKE '[may be stored] %' THEN 'lost'
      WHEN reason LIKE '[stored] %' OR reason LIKE '%: taken as stored by that request' THEN 'stored'
    END
    WHERE state = 'pending';
  UPDATE records SET reason = substr(reason, 17) WHERE reason LIKE '[may be stored] %';
  UPDATE records SET reason = substr(reason, 10) WHERE reason LIKE '[stored] %';
  `,
];

const RECORD_COLUMNS = `seq, id, key, recipient, recipient_type, type, status, source, consent_date, consent_ms,
  deadline_at, received_at, state, reason, attempts, registered_at, doubt, raw_recipient, client_consent_date, channels,
  notice_version, notice_hash, notice_lang, page_url, origin, ip, user_agent, widget_version, idempotency_key`;

const IDS = `(SELECT value FROM json_each(@ids))`;

export const SQL = {
  pragmas: [
    'PRAGMA journal_mode = WAL',
    // FULL: the WAL is fsynced at every commit, so an acknowledged consent survives power loss, not just a crash.
    'PRAGMA synchronous = FULL',
    'PRAGMA foreign_keys = ON',
  ],

  insertRecord: `INSERT INTO records (id, key, recipient, recipient_type, type, status, source, consent_date, consent_ms,
    deadline_at, received_at, state, attempts, raw_recipient, client_consent_date, channels, notice_version, notice_hash,
    notice_lang, page_url, origin, ip, user_agent, widget_version, idempotency_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  findIdempotency: `SELECT ids, fingerprint FROM idempotency WHERE key = ?`,
  insertIdempotency: `INSERT INTO idempotency (key, ids, created_at, fingerprint) VALUES (?, ?, ?, ?)`,

  byRecipient: `SELECT ${RECORD_COLUMNS} FROM records WHERE recipient = ? ORDER BY consent_ms, seq`,
  byIds: `SELECT ${RECORD_COLUMNS} FROM records WHERE id IN ${IDS} ORDER BY seq`,
  exportPage: `SELECT ${RECORD_COLUMNS} FROM records
    WHERE received_at < @to AND (received_at > @afterAt OR (received_at = @afterAt AND seq > @afterSeq))
    ORDER BY received_at, seq LIMIT @limit`,
  attemptsOf: `SELECT at, outcome, code, message, batch_size FROM attempts WHERE record_id = ? ORDER BY id`,
  countByState: `SELECT state, COUNT(*) AS n FROM records GROUP BY state`,
  pendingSummary: `SELECT COUNT(*) AS count, MIN(received_at) AS oldest, MIN(deadline_at) AS earliest
    FROM records WHERE state = 'pending'`,
  ping: `SELECT 1`,

  /*
   * A pending record is claimable when its lease and notBefore are behind it and it is the head of
   * its key: no other pending record of the key is earlier (consentDate, then arrival) or leased.
   * The "or leased" part keeps a late-arriving earlier record from being sent while a later one of
   * the same key is in flight. One statement, so the check and the lease are one atomic step.
   * INDEXED BY: without statistics the planner preferred records_state for the inner lookup, which
   * made each check scan every pending record (a 5000-record claim took 50 s instead of milliseconds).
   */
  claim: `UPDATE records SET lease_owner = @owner, lease_until = @until
    WHERE seq IN (
      SELECT r.seq FROM records r INDEXED BY records_claim
      WHERE r.state = 'pending'
        AND COALESCE(r.lease_until, 0) <= @now
        AND COALESCE(r.not_before, 0) <= @now
        AND NOT EXISTS (
          SELECT 1 FROM records e INDEXED BY records_pending_key
          WHERE e.state = 'pending' AND e.key = r.key AND e.seq <> r.seq
            AND (e.consent_ms < r.consent_ms OR (e.consent_ms = r.consent_ms AND e.seq < r.seq) OR e.lease_until > @now))
      ORDER BY r.deadline_at, r.seq
      LIMIT @limit)
    RETURNING ${RECORD_COLUMNS}`,
  registeredOfKeys: `SELECT key, status, consent_date FROM records INDEXED BY records_registered_key
    WHERE state = 'registered' AND key IN (SELECT value FROM json_each(@keys))
    ORDER BY key, consent_ms DESC, seq DESC`,
  latestOfKeys: `SELECT k.value AS key, r.id, r.status, r.consent_date, r.state
    FROM json_each(@keys) k JOIN records r ON r.seq = (
      SELECT e.seq FROM records e INDEXED BY records_live_key
      WHERE e.key = k.value AND e.state IN ('pending', 'registered')
      ORDER BY e.consent_ms DESC, e.seq DESC LIMIT 1)`,
  insertAttempt: `INSERT INTO attempts (record_id, at, outcome, code, message, batch_size, request_id)
    SELECT id, @at, @outcome, @code, @message, @batchSize, @requestId FROM records WHERE id IN ${IDS}`,
  // A request is lost while it has no answer line other than 'ambiguous' (see ConsentStore.lostRequestsOf).
  lostRequestsOf: `SELECT m.request_id, m.record_id FROM attempts m
    WHERE m.outcome = 'sending' AND m.request_id IN (
      SELECT s.request_id FROM attempts s
      WHERE s.record_id IN ${IDS} AND s.outcome = 'sending' AND s.request_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM attempts a
          WHERE a.request_id = s.request_id AND a.outcome NOT IN ('sending', 'ambiguous')))
    ORDER BY m.id`,
  countAttempt: `UPDATE records SET attempts = attempts + @increment,
    reason = CASE WHEN state = 'pending' THEN @message ELSE reason END,
    doubt = CASE WHEN state = 'pending' AND @setDoubt = 1 THEN @doubt ELSE doubt END
    WHERE id IN ${IDS}`,
  markRegistered: `UPDATE records SET state = 'registered', registered_at = @at, settled_at = @at, doubt = NULL,
    lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id IN ${IDS}`,
  markFinal: `UPDATE records SET state = @state, reason = @reason, settled_at = @at, doubt = NULL,
    lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id IN ${IDS}`,
  release: `UPDATE records SET lease_owner = NULL, lease_until = NULL, not_before = @notBefore
    WHERE state = 'pending' AND lease_owner = @owner AND id IN ${IDS}`,
  extendLease: `UPDATE records SET lease_until = @until
    WHERE state = 'pending' AND lease_owner = @owner AND id IN ${IDS}`,
  overdue: `SELECT ${RECORD_COLUMNS} FROM records INDEXED BY records_claim
    WHERE state = 'pending' AND deadline_at <= @now AND COALESCE(lease_until, 0) <= @now
    ORDER BY deadline_at, seq LIMIT @limit`,
  nextWakeAt: `SELECT MIN(MAX(COALESCE(not_before, 0), COALESCE(lease_until, 0))) AS at FROM records
    WHERE state = 'pending' AND (not_before > @now OR lease_until > @now)`,
} as const;
