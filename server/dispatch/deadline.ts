import { DEADLINE_HOURS, DEADLINE_MS } from '../../shared/turkey-time.ts';

/**
 * The deadline's thresholds, in the one place the dispatcher's warnings, /healthz and /metrics
 * read them from.
 */

/** Ages at which a still-pending record is worth a warning: a third and two thirds of the 72 h. */
export const AGE_WARNINGS_MS = [24 * 3600_000, 48 * 3600_000] as const;

/** Time left before a deadline under which /healthz calls a record near it: past the last warning age. */
export const NEAR_DEADLINE_MS = DEADLINE_MS - AGE_WARNINGS_MS[AGE_WARNINGS_MS.length - 1]!;

/**
 * How close to its deadline a record may still be sent. A request sent at the last millisecond
 * arrives late: it spends up to the client's timeouts on the wire (connect 10 s + headers 30 s +
 * body 30 s), iletiMerkezi relays it to İYS, which stamps its own time, and this host's clock may
 * be off from İYS's by seconds (minutes on a VM without NTP). Five minutes covers all of that a few
 * times over and costs little: a record only gets this close after 71 h 55 min pending, when an
 * operator has had the 24 h and 48 h warnings and the record is better reported expired than
 * registered late.
 */
export const SEND_MARGIN_MS = 5 * 60_000;

/** Why a record is marked expired: the `reason` it keeps. */
export const EXPIRED_REASON = `within ${SEND_MARGIN_MS / 60_000} minutes of (or past) the ${DEADLINE_HOURS}-hour İYS deadline before it could be sent`;

/** Whether a record may no longer be sent: its deadline is within SEND_MARGIN_MS (or past). */
export function isExpired(record: { deadlineAt: number }, now: number): boolean {
  return now >= record.deadlineAt - SEND_MARGIN_MS;
}

/** The age of a record: time since its consentDate (deadline − 72 h). */
export function ageOf(record: { deadlineAt: number }, now: number): number {
  return now - (record.deadlineAt - DEADLINE_MS);
}

/** The highest warning threshold the record has passed (0 when none): 24 h or 48 h. */
export function warningLevel(record: { deadlineAt: number }, now: number): number {
  const age = ageOf(record, now);
  let level = 0;
  for (const threshold of AGE_WARNINGS_MS) if (age >= threshold) level = threshold;
  return level;
}
