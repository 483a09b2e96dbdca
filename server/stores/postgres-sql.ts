import { ATTEMPT_COLUMNS, INSERT_COLUMNS, OUTBOX_COLUMNS, RECORD_COLUMNS, sqlList } from './schema.ts';
import { HOUR_MS, UNANSWERED_OUTCOMES } from './store.ts';
import { readbackFiguresSql } from './check-fields.ts';
import { INSERT_TYPES, postgresMigrations, quoteIdent } from './postgres-schema.ts';

/**
 * Every SQL statement of the PostgreSQL store, in one place (as pg-boss keeps its plans), for one
 * schema; its DDL and migrations are derived from the schema definition (postgres-schema.ts).
 * Tests give each file its own schema; production uses `public` unless told otherwise.
 * Times are BIGINT epoch ms; id lists travel as one text[] parameter.
 */

const RECORD = RECORD_COLUMNS.join(', ');
// The dispatcher's reads leave the evidence out (see sqlite-sql.ts).
const OUTBOX = OUTBOX_COLUMNS.join(', ');
const INSERTED = INSERT_COLUMNS.join(', ');

/** A literal of the SQL text `text` (for statements sent without parameters). */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function postgresSql(schema: string) {
  const s = quoteIdent(schema);
  const records = `${s}.records`;
  const IDS = '$1::text[]';

  return {
    migrations: postgresMigrations(schema),
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${s}`,
    createMigrations: `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
    appliedVersion: `SELECT COALESCE(MAX(version), 0) AS v FROM ${s}.schema_migrations`,
    recordMigration: `INSERT INTO ${s}.schema_migrations (version, applied_at) VALUES ($1, $2)`,
    /** Serialises start-up migrations of several collectors sharing the database. */
    migrationLock: `SELECT pg_advisory_xact_lock(hashtext($1))`,

    findIdempotency: `SELECT ids, fingerprint FROM ${s}.idempotency WHERE key = $1`,
    findIdempotencyKeys: `SELECT key, ids, fingerprint FROM ${s}.idempotency WHERE key = ANY($1::text[])`,
    /*
     * The inserts of a group of callers (postgres-group-commit.ts) as ONE statement, so one round
     * trip and one commit: the idempotency keys are claimed first (a key another transaction holds
     * makes this one wait for it, then skip it), and only the records of keyless callers and of keys
     * claimed here are stored. $1–$4: the keys' rows; $5: each record's caller's key (null: none);
     * then one array per insert column; the last two: the NOTIFY channel and payload, sent only when
     * records were stored (delivered at commit, like every notification).
     */
    insertGroup: `WITH claimed AS (
        INSERT INTO ${s}.idempotency (key, ids, created_at, fingerprint)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
        ON CONFLICT (key) DO NOTHING
        RETURNING key),
      stored AS (
        INSERT INTO ${records} (${INSERTED})
        SELECT ${INSERTED}
        FROM unnest($5::text[], ${INSERT_TYPES.map((t, i) => `$${i + 6}::${t}[]`).join(', ')}) AS u(caller_key, ${INSERTED})
        WHERE u.caller_key IS NULL OR u.caller_key IN (SELECT key FROM claimed)
        RETURNING 1)
      SELECT ARRAY(SELECT key FROM claimed) AS claimed,
        CASE WHEN EXISTS (SELECT 1 FROM stored) THEN pg_notify($${INSERT_TYPES.length + 6}, $${INSERT_TYPES.length + 7}) END AS notified`,

    byRecipient: `SELECT ${RECORD} FROM ${records} WHERE recipient = $1 ORDER BY consent_ms, seq`,
    byIds: `SELECT ${OUTBOX} FROM ${records} WHERE id = ANY(${IDS}) ORDER BY seq`,
    exportPage: `SELECT ${RECORD} FROM ${records}
      WHERE (received_at, seq) > ($1::bigint, $2::bigint) AND received_at < $3
      ORDER BY received_at, seq LIMIT $4`,
    attemptsOf: `SELECT ${ATTEMPT_COLUMNS.join(', ')} FROM ${s}.attempts WHERE record_id = $1 ORDER BY id`,
    countByState: `SELECT state, COUNT(*) AS n FROM ${records} GROUP BY state`,
    pendingSummary: `SELECT COUNT(*) AS count, MIN(received_at) AS oldest, MIN(deadline_at) AS earliest
      FROM ${records} WHERE state = 'pending'`,
    ping: `SELECT 1`,
    probeWrite: `INSERT INTO ${s}.probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
    pendingByDeadline: `SELECT ${RECORD} FROM ${records} WHERE state = 'pending' ORDER BY deadline_at, seq LIMIT $1`,
    requestsByHour: `SELECT (at / ${HOUR_MS}) * ${HOUR_MS} AS hour, outcome,
        COUNT(DISTINCT COALESCE(request_id, at::text || ':' || batch_size::text)) AS requests, COUNT(*) AS records
      FROM ${s}.attempts
      WHERE at >= $1 AND at < $2 AND outcome NOT IN ${sqlList(UNANSWERED_OUTCOMES)}
      GROUP BY 1, 2 ORDER BY 1, 2`,

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
    /** BEGIN and the lock in one round trip: a simple query, so the lock's name is a literal. */
    beginClaim: `BEGIN; SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(`iys-claim:${schema}`)}))`,
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
      RETURNING ${OUTBOX_COLUMNS.map((c) => `${records}.${c}`).join(', ')}`,
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
    /** markRegistered with its answer's line ($3–$7: at, outcome, code, message, batch size; $8 the request id), one statement. */
    markRegisteredWithLine: `WITH logged AS (
        INSERT INTO ${s}.attempts (record_id, at, outcome, code, message, batch_size, request_id)
        SELECT id, $3, $4, $5, $6, $7, $8 FROM ${records} WHERE id = ANY(${IDS}))
      UPDATE ${records} SET state = 'registered', registered_at = $2, settled_at = $2, doubt = NULL, reason = $6,
        lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id = ANY(${IDS})`,
    markFinal: `UPDATE ${records} SET state = $2, reason = $3, settled_at = $4, doubt = NULL,
      lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id = ANY(${IDS})`,
    release: `UPDATE ${records} SET lease_owner = NULL, lease_until = NULL, not_before = $3
      WHERE state = 'pending' AND lease_owner = $2 AND id = ANY(${IDS})`,
    extendLease: `UPDATE ${records} SET lease_until = $3
      WHERE state = 'pending' AND lease_owner = $2 AND id = ANY(${IDS})`,
    overdue: `SELECT ${OUTBOX} FROM ${records}
      WHERE state = 'pending' AND deadline_at <= $1 AND COALESCE(lease_until, 0) <= $1
      ORDER BY deadline_at, seq LIMIT $2`,
    // Read-back (ConsentStore.dueForCheck, sweepDue, markChecked, unseenCount).
    dueForCheck: `SELECT ${OUTBOX} FROM ${records}
      WHERE state = 'registered' AND check_state IS NULL AND registered_at <= $1 AND COALESCE(checked_at, 0) <= $2
      ORDER BY registered_at, seq LIMIT $3`,
    sweepDue: `SELECT ${OUTBOX} FROM ${records}
      WHERE state = 'registered' AND check_state IN ('confirmed', 'unseen') AND COALESCE(checked_at, 0) <= $1
      ORDER BY checked_at, seq LIMIT $2`,
    markChecked: `UPDATE ${records} SET checked_at = $2, check_state = COALESCE($3, check_state), check_note = $4,
        confirmed_at = CASE WHEN $3 = 'confirmed' THEN COALESCE(confirmed_at, $2) ELSE confirmed_at END
      WHERE state = 'registered' AND id = ANY(${IDS})`,
    unseenCount: `SELECT COUNT(*) AS n FROM ${records} r WHERE r.state = 'registered' AND r.check_state = 'unseen'
      AND NOT EXISTS (SELECT 1 FROM ${records} q WHERE q.requeue_of = r.id AND q.check_state = 'confirmed')`,
    readbackFigures: readbackFiguresSql(records),
    nextWakeAt: `SELECT MIN(GREATEST(COALESCE(not_before, 0), COALESCE(lease_until, 0))) AS at FROM ${records}
      WHERE state = 'pending' AND (not_before > $1 OR lease_until > $1)`,
  };
}

export type PostgresSql = ReturnType<typeof postgresSql>;
