import { DEADLINE_MS } from '../../shared/turkey-time.ts';

/** Ages at which a still-pending record is worth a warning: a third and two thirds of the 72 h. */
export const AGE_WARNINGS_MS = [24 * 3600_000, 48 * 3600_000] as const;

/** A record may still be sent only strictly before its deadline. */
export function isExpired(record: { deadlineAt: number }, now: number): boolean {
  return now >= record.deadlineAt;
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
