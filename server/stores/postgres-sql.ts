/**
 * Every SQL statement of the PostgreSQL store, in one place (as pg-boss keeps its plans), for one
 * schema. Tests give each file its own schema; production uses `public` unless told otherwise.
 * Times are BIGINT epoch ms; id lists travel as one text[] parameter.
 */

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const RECORD_COLUMNS = `seq, id, key, recipient, recipient_type, type, status, source, consent_date, consent_ms,
  deadline_at, received_at, state, reason, attempts, registered_at, doubt, raw_recipient, client_consent_date, channels,
  notice_version, notice_hash, notice_lang, page_url, origin, ip, user_agent, widget_version, idempotency_key`;

/** Column types of INSERT_COLUMNS (row-mapping.ts), for the unnest() bulk insert. */
const INSERT_TYPES = [
  'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint',
  'bigint', 'bigint', 'text', 'integer', 'text', 'text', 'text',
  'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
  'text',
];

export function postgresSql(schema: string) {
  const s = quoteIdent(schema);
  const records = `${s}.records`;
  const IDS = '$1::text[]';

  /** Applied in order inside one transaction each; schema_migrations holds the versions applied. */
  const migrations: string[] = [
    `
    CREATE TABLE ${records} (
      seq                 BIGSERIAL PRIMARY KEY,
      id                  TEXT    NOT NULL UNIQUE,
      key                 TEXT    NOT NULL,
      recipient           TEXT    NOT NULL,
      recipient_type      TEXT    NOT NULL CHECK (recipient_type IN ('BIREYSEL', 'TACIR')),
      type                TEXT    NOT NULL CHECK (type IN ('MESAJ', 'EPOSTA', 'ARAMA')),
      status              TEXT    NOT NULL CHECK (status IN ('ONAY', 'RET')),
      source              TEXT    NOT NULL,
      consent_date        TEXT    NOT NULL,
      consent_ms          BIGINT  NOT NULL,
      deadline_at         BIGINT  NOT NULL,
      received_at         BIGINT  NOT NULL,
      state               TEXT    NOT NULL CHECK (state IN ('pending', 'registered', 'rejected', 'expired')),
      reason              TEXT,
      attempts            INTEGER NOT NULL DEFAULT 0,
      registered_at       BIGINT,
      settled_at          BIGINT,
      lease_owner         TEXT,
      lease_until         BIGINT,
      not_before          BIGINT,
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
    );
    -- The claim query walks pending records by deadline; the head-of-key check looks up pending records of one key.
    CREATE INDEX records_claim ON ${records} (deadline_at, seq) WHERE state = 'pending';
    CREATE INDEX records_pending_key ON ${records} (key, consent_ms, seq) WHERE state = 'pending';
    CREATE INDEX records_registered_key ON ${records} (key, consent_ms DESC, seq DESC) WHERE state = 'registered';
    CREATE INDEX records_recipient ON ${records} (recipient, consent_ms);
    CREATE INDEX records_received ON ${records} (received_at, seq);
    CREATE INDEX records_state ON ${records} (state);

    CREATE TABLE ${s}.attempts (
      id          BIGSERIAL PRIMARY KEY,
      record_id   TEXT    NOT NULL REFERENCES ${records} (id),
      at          BIGINT  NOT NULL,
      outcome     TEXT    NOT NULL,
      code        INTEGER,
      message     TEXT    NOT NULL,
      batch_size  INTEGER NOT NULL
    );
    CREATE INDEX attempts_record ON ${s}.attempts (record_id, id);

    CREATE TABLE ${s}.idempotency (
      key         TEXT    PRIMARY KEY,
      ids         TEXT    NOT NULL,
      created_at  BIGINT  NOT NULL
    );

    -- The ledger is append-only evidence: a bug elsewhere must not be able to erase or rewrite it.
    CREATE FUNCTION ${s}.records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ledger records are never deleted';
      END IF;
      IF OLD.state <> 'pending' AND NEW.state <> OLD.state THEN
        RAISE EXCEPTION 'only pending records change state';
      END IF;
      IF (NEW.id, NEW.key, NEW.recipient, NEW.recipient_type, NEW.type, NEW.status, NEW.source, NEW.consent_date,
          NEW.received_at, NEW.raw_recipient, NEW.client_consent_date, NEW.channels, NEW.notice_version,
          NEW.notice_hash, NEW.notice_lang, NEW.page_url, NEW.origin, NEW.ip, NEW.user_agent, NEW.widget_version,
          NEW.idempotency_key)
         IS DISTINCT FROM
         (OLD.id, OLD.key, OLD.recipient, OLD.recipient_type, OLD.type, OLD.status, OLD.source, OLD.consent_date,
          OLD.received_at, OLD.raw_recipient, OLD.client_consent_date, OLD.channels, OLD.notice_version,
          OLD.notice_hash, OLD.notice_lang, OLD.page_url, OLD.origin, OLD.ip, OLD.user_agent, OLD.widget_version,
          OLD.idempotency_key) THEN
        RAISE EXCEPTION 'ledger records are never rewritten';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER records_guard BEFORE UPDATE OR DELETE ON ${records}
      FOR EACH ROW EXECUTE FUNCTION ${s}.records_guard();
    `,
    // What each idempotency key stood for (recordsFingerprint): the same key with other records is refused.
    // Keys stored before this column have none and are honoured as before.
    `
    ALTER TABLE ${s}.idempotency ADD COLUMN IF NOT EXISTS fingerprint TEXT;
    CREATE INDEX IF NOT EXISTS records_live_key ON ${records} (key, consent_ms DESC, seq DESC)
      WHERE state IN ('pending', 'registered');
    `,
    // Which request each attempt line belongs to, so the records of a request whose answer was lost
    // can be regrouped after a crash (lostRequestsOf). Lines written before this column have none.
    `
    ALTER TABLE ${s}.attempts ADD COLUMN IF NOT EXISTS request_id TEXT;
    CREATE INDEX IF NOT EXISTS attempts_request ON ${s}.attempts (request_id) WHERE request_id IS NOT NULL;
    `,
    // Doubt as data (store.ts, DOUBTS): it was a prefix of `reason`. Pending records take theirs from
    // the old marks; the prefixes leave `reason`, which keeps the plain last answer.
    `
    ALTER TABLE ${records} ADD COLUMN IF NOT EXISTS doubt TEXT CHECK (doubt IN ('sending', 'lost', 'stored'));
    UPDATE ${records} SET doubt = CASE
        WHEN reason = 'sent, no answer recorded yet' THEN 'sending'
        WHEN reason LIKE '[may be stored] %' THEN 'lost'
        WHEN reason LIKE '[stored] %' OR reason LIKE '%: taken as stored by that request' THEN 'stored'
      END
      WHERE state = 'pending';
    UPDATE ${records} SET reason = substr(reason, 17) WHERE reason LIKE '[may be stored] %';
    UPDATE ${records} SET reason = substr(reason, 10) WHERE reason LIKE '[stored] %';
    `,
  ];

  return {
    migrations,
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${s}`,
    createMigrations: `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
    appliedVersion: `SELECT COALESCE(MAX(version), 0) AS v FROM ${s}.schema_migrations`,
    recordMigration: `INSERT INTO ${s}.schema_migrations (version, applied_at) VALUES ($1, $2)`,
    /** Serialises start-up migrations of several collectors sharing the database. */
    migrationLock: `SELECT pg_advisory_xact_lock(hashtext($1))`,

    claimIdempotency: `INSERT INTO ${s}.idempotency (key, ids, created_at, fingerprint) VALUES ($1, $2, $3, $4)
      ON CONFLICT (key) DO NOTHING RETURNING key`,
    findIdempotency: `SELECT ids, fingerprint FROM ${s}.idempotency WHERE key = $1`,
    insertRecords: `INSERT INTO ${records} (id, key, recipient, recipient_type, type, status, source, consent_date,
      consent_ms, deadline_at, received_at, state, attempts, raw_recipient, client_consent_date, channels,
      notice_version, notice_hash, notice_lang, page_url, origin, ip, user_agent, widget_version, idempotency_key)
      SELECT * FROM unnest(${INSERT_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
    notify: `SELECT pg_notify($1, $2)`,

    byRecipient: `SELECT ${RECORD_COLUMNS} FROM ${records} WHERE recipient = $1 ORDER BY consent_ms, seq`,
    byIds: `SELECT ${RECORD_COLUMNS} FROM ${records} WHERE id = ANY(${IDS}) ORDER BY seq`,
    exportPage: `SELECT ${RECORD_COLUMNS} FROM ${records}
      WHERE (received_at, seq) > ($1::bigint, $2::bigint) AND received_at < $3
      ORDER BY received_at, seq LIMIT $4`,
    attemptsOf: `SELECT at, outcome, code, message, batch_size FROM ${s}.attempts WHERE record_id = $1 ORDER BY id`,
    countByState: `SELECT state, COUNT(*) AS n FROM ${records} GROUP BY state`,
    pendingSummary: `SELECT COUNT(*) AS count, MIN(received_at) AS oldest, MIN(deadline_at) AS earliest
      FROM ${records} WHERE state = 'pending'`,
    ping: `SELECT 1`,

    /*
     * Claims are serialised across processes by one transaction-scoped advisory lock per schema.
     * Why: the head-of-key check reads OTHER rows (earlier or leased records of the key), which
     * FOR UPDATE SKIP LOCKED does not protect. Two claimers running at once could each see the
     * other's key as free (READ COMMITTED snapshots) and lease two records of one key. Taken first,
     * the lock makes the claim statement's snapshot include every earlier claim. Per-key advisory
     * locks would do the same with more parallelism but take up to IYS_BATCH_MAX (5000) locks in one
     * transaction, which can exhaust PostgreSQL's shared lock table; a claim is one indexed statement
     * (milliseconds) while the sends it feeds take seconds, so serialising claims costs little.
     * SKIP LOCKED still steps over rows that a mark or release call is updating at that moment.
     */
    claimLock: `SELECT pg_advisory_xact_lock(hashtext($1))`,
    claim: `WITH picked AS (
        SELECT r.seq FROM ${records} r
        WHERE r.state = 'pending'
          AND COALESCE(r.lease_until, 0) <= $3
          AND COALESCE(r.not_before, 0) <= $3
          AND NOT EXISTS (
            SELECT 1 FROM ${records} e
            WHERE e.state = 'pending' AND e.key = r.key AND e.seq <> r.seq
              AND ((e.consent_ms, e.seq) < (r.consent_ms, r.seq) OR e.lease_until > $3))
        ORDER BY r.deadline_at, r.seq
        LIMIT $4
        FOR UPDATE OF r SKIP LOCKED)
      UPDATE ${records} SET lease_owner = $1, lease_until = $2
      FROM picked WHERE ${records}.seq = picked.seq
      RETURNING ${RECORD_COLUMNS.split(',').map((c) => `${records}.${c.trim()}`).join(', ')}`,
    registeredOfKeys: `SELECT DISTINCT ON (key) key, status, consent_date FROM ${records}
      WHERE state = 'registered' AND key = ANY($1::text[])
      ORDER BY key, consent_ms DESC, seq DESC`,
    latestOfKeys: `SELECT DISTINCT ON (key) key, id, status, consent_date, state FROM ${records}
      WHERE state IN ('pending', 'registered') AND key = ANY($1::text[])
      ORDER BY key, consent_ms DESC, seq DESC`,
    logAttempt: `WITH logged AS (
        INSERT INTO ${s}.attempts (record_id, at, outcome, code, message, batch_size, request_id)
        SELECT id, $2, $3, $4, $5, $6, $8 FROM ${records} WHERE id = ANY(${IDS})
        RETURNING record_id)
      UPDATE ${records} SET attempts = attempts + $7,
        reason = CASE WHEN state = 'pending' THEN $5 ELSE reason END,
        doubt = CASE WHEN state = 'pending' AND $9 THEN $10 ELSE doubt END
      WHERE id IN (SELECT record_id FROM logged)`,
    // A request is lost while it has no answer line other than 'ambiguous' (see ConsentStore.lostRequestsOf).
    lostRequestsOf: `SELECT m.request_id, m.record_id FROM ${s}.attempts m
      WHERE m.outcome = 'sending' AND m.request_id IN (
        SELECT l.request_id FROM ${s}.attempts l
        WHERE l.record_id = ANY(${IDS}) AND l.outcome = 'sending' AND l.request_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${s}.attempts a
            WHERE a.request_id = l.request_id AND a.outcome NOT IN ('sending', 'ambiguous')))
      ORDER BY m.id`,
    markRegistered: `UPDATE ${records} SET state = 'registered', registered_at = $2, settled_at = $2, doubt = NULL,
      lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id = ANY(${IDS})`,
    markFinal: `UPDATE ${records} SET state = $2, reason = $3, settled_at = $4, doubt = NULL,
      lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id = ANY(${IDS})`,
    release: `UPDATE ${records} SET lease_owner = NULL, lease_until = NULL, not_before = $3
      WHERE state = 'pending' AND lease_owner = $2 AND id = ANY(${IDS})`,
    extendLease: `UPDATE ${records} SET lease_until = $3
      WHERE state = 'pending' AND lease_owner = $2 AND id = ANY(${IDS})`,
    overdue: `SELECT ${RECORD_COLUMNS} FROM ${records}
      WHERE state = 'pending' AND deadline_at <= $1 AND COALESCE(lease_until, 0) <= $1
      ORDER BY deadline_at, seq LIMIT $2`,
    nextWakeAt: `SELECT MIN(GREATEST(COALESCE(not_before, 0), COALESCE(lease_until, 0))) AS at FROM ${records}
      WHERE state = 'pending' AND (not_before > $1 OR lease_until > $1)`,
  };
}

export type PostgresSql = ReturnType<typeof postgresSql>;
