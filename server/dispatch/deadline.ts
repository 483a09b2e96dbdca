import { SEND_MARGIN_MS, whyUnsendable, type SendableRecord } from '../../shared/sendability.ts';
import { DEADLINE_HOURS, DEADLINE_MS } from '../../shared/turkey-time.ts';

/**
 * The deadline's thresholds, in the one place the dispatcher's warnings, /healthz and /metrics
 * read them from.
 */

/** Ages at which a still-pending record is worth a warning: a third and two thirds of the 72 h. */
export const AGE_WARNINGS_MS = [24 * 3600_000, 48 * 3600_000] as const;

/** Time left before a deadline under which /healthz calls a record near it: past the last warning age. */
export const NEAR_DEADLINE_MS = DEADLINE_MS - AGE_WARNINGS_MS[AGE_WARNINGS_MS.length - 1]!;

/** Why a record is marked expired: the `reason` it keeps. */
export const EXPIRED_REASON = `within ${SEND_MARGIN_MS / 60_000} minutes of (or past) the ${DEADLINE_HOURS}-hour İYS deadline before it could be sent`;

/** Whether a record may no longer be sent: the sendability rule intake applied, asked just before sending. */
export function isExpired(record: SendableRecord, now: number): boolean {
  return whyUnsendable(record, now, 0) !== null;
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
