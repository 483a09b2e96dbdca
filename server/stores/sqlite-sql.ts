import { ATTEMPT_COLUMNS, INSERT_COLUMNS, OUTBOX_COLUMNS, RECORD_COLUMNS, sqlList } from './schema.ts';
import { HOUR_MS, UNANSWERED_OUTCOMES } from './store.ts';
import { readbackFiguresSql } from './check-fields.ts';

/**
 * Every SQL statement of the SQLite store, in one place (as pg-boss keeps its plans); its DDL and
 * migrations are derived from the schema definition (sqlite-schema.ts). The store prepares each
 * statement once. Id lists travel as one JSON text parameter, expanded with json_each(), so a
 * statement never has to be re-prepared for another list length.
 */

const RECORD = RECORD_COLUMNS.join(', ');
// The dispatcher's reads leave the evidence out: a claim of 5000 records would otherwise copy every
// User-Agent and page URL into objects nobody reads.
const OUTBOX = OUTBOX_COLUMNS.join(', ');

const IDS = `(SELECT value FROM json_each(@ids))`;

export const SQL = {
  pragmas: [
    'PRAGMA journal_mode = WAL',
    // FULL: the WAL is fsynced at every commit, so an acknowledged consent survives power loss, not just a crash.
    'PRAGMA synchronous = FULL',
    'PRAGMA foreign_keys = ON',
  ],

  insertRecord: `INSERT INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`,
  findIdempotency: `SELECT ids, fingerprint FROM idempotency WHERE key = ?`,
  insertIdempotency: `INSERT INTO idempotency (key, ids, created_at, fingerprint) VALUES (?, ?, ?, ?)`,

  byRecipient: `SELECT ${RECORD} FROM records WHERE recipient = ? ORDER BY consent_ms, seq`,
  byIds: `SELECT ${OUTBOX} FROM records WHERE id IN ${IDS} ORDER BY seq`,
  exportPage: `SELECT ${RECORD} FROM records
    WHERE received_at < @to AND (received_at > @afterAt OR (received_at = @afterAt AND seq > @afterSeq))
    ORDER BY received_at, seq LIMIT @limit`,
  attemptsOf: `SELECT ${ATTEMPT_COLUMNS.join(', ')} FROM attempts WHERE record_id = ? ORDER BY id`,
  countByState: `SELECT state, COUNT(*) AS n FROM records GROUP BY state`,
  pendingSummary: `SELECT COUNT(*) AS count, MIN(received_at) AS oldest, MIN(deadline_at) AS earliest
    FROM records WHERE state = 'pending'`,
  ping: `SELECT 1`,
  probeWrite: `INSERT INTO probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
  pendingByDeadline: `SELECT ${RECORD} FROM records INDEXED BY records_claim
    WHERE state = 'pending' ORDER BY deadline_at, seq LIMIT @limit`,
  requestsByHour: `SELECT (at / ${HOUR_MS}) * ${HOUR_MS} AS hour, outcome,
      COUNT(DISTINCT COALESCE(request_id, CAST(at AS TEXT) || ':' || CAST(batch_size AS TEXT))) AS requests, COUNT(*) AS records
    FROM attempts INDEXED BY attempts_at
    WHERE at >= @from AND at < @to AND outcome NOT IN ${sqlList(UNANSWERED_OUTCOMES)}
    GROUP BY hour, outcome ORDER BY hour, outcome`,

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
    RETURNING ${OUTBOX}`,
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
    reason = COALESCE(@reason, reason), lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id IN ${IDS}`,
  markFinal: `UPDATE records SET state = @state, reason = @reason, settled_at = @at, doubt = NULL,
    lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND id IN ${IDS}`,
  release: `UPDATE records SET lease_owner = NULL, lease_until = NULL, not_before = @notBefore
    WHERE state = 'pending' AND lease_owner = @owner AND id IN ${IDS}`,
  extendLease: `UPDATE records SET lease_until = @until
    WHERE state = 'pending' AND lease_owner = @owner AND id IN ${IDS}`,
  overdue: `SELECT ${OUTBOX} FROM records INDEXED BY records_claim
    WHERE state = 'pending' AND deadline_at <= @now AND COALESCE(lease_until, 0) <= @now
    ORDER BY deadline_at, seq LIMIT @limit`,
  // Read-back (ConsentStore.dueForCheck, sweepDue, markChecked, unseenCount).
  dueForCheck: `SELECT ${OUTBOX} FROM records INDEXED BY records_unchecked
    WHERE state = 'registered' AND check_state IS NULL AND registered_at <= @registeredBefore AND COALESCE(checked_at, 0) <= @checkedBefore
    ORDER BY registered_at, seq LIMIT @limit`,
  sweepDue: `SELECT ${OUTBOX} FROM records INDEXED BY records_sweep
    WHERE state = 'registered' AND check_state IN ('confirmed', 'unseen') AND COALESCE(checked_at, 0) <= @checkedBefore
    ORDER BY checked_at, seq LIMIT @limit`,
  markChecked: `UPDATE records SET checked_at = @at, check_state = COALESCE(@state, check_state), check_note = @note,
    confirmed_at = CASE WHEN @state = 'confirmed' THEN COALESCE(confirmed_at, @at) ELSE confirmed_at END
    WHERE state = 'registered' AND id IN ${IDS}`,
  unseenCount: `SELECT COUNT(*) AS n FROM records r WHERE r.state = 'registered' AND r.check_state = 'unseen'
    AND NOT EXISTS (SELECT 1 FROM records q WHERE q.requeue_of = r.id AND q.check_state = 'confirmed')`,
  readbackFigures: readbackFiguresSql('records'),
  nextWakeAt: `SELECT MIN(MAX(COALESCE(not_before, 0), COALESCE(lease_until, 0))) AS at FROM records
    WHERE state = 'pending' AND (not_before > @now OR lease_until > @now)`,
} as const;
