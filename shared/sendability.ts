import type { SOURCES } from './vocabulary.ts';
import { DEADLINE_HOURS, DEADLINE_MS, IYS_EARLIEST, formatTurkeyTime, parseTurkeyTime } from './turkey-time.ts';

/**
 * Whether a record can still reach İYS in time: one rule for intake (the web, the batch route, the
 * import refuse what could not be sent) and the dispatcher (it expires what can no longer be sent),
 * so that nothing acknowledged is expired unsent. docs/contract.md: "A 202 is a promise".
 */

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

/**
 * What an acknowledged record needs, besides the flush window, before the dispatcher's last check
 * lets it go: the pass already under way ends (at worst one request on the wire, bounded by the
 * client's 10 + 30 + 30 s of timeouts) and the next claim takes the record (one ledger round trip;
 * claims go earliest deadline first, so a record this close comes first). Two minutes covers both.
 */
export const PASS_HEADROOM_MS = 2 * 60_000;

/** The headroom intake leaves the dispatcher: the flush window (IYS_FLUSH_MS) a record may wait for its batch, then one pass. */
export function intakeHeadroomMs(flushMs: number): number {
  return flushMs + PASS_HEADROOM_MS;
}

export type SendableRecord = { source: (typeof SOURCES)[number]; deadlineAt: number };

const IYS_EARLIEST_MS = parseTurkeyTime(IYS_EARLIEST)!;
function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * The rule: why a record (deadline: consentDate + 72 h, which is also iletiMerkezi's "older than 3
 * days") cannot be registered in time if the dispatcher may take until `nowMs + headroomMs` to send
 * it, or null when it can. The dispatcher asks with no headroom just before each request; intake
 * asks with intakeHeadroomMs. An HS_2015 record (consentDate 2015-05-01) is always past it.
 */
export function whyUnsendable(r: SendableRecord, nowMs: number, headroomMs: number): string | null {
  if (nowMs + headroomMs < r.deadlineAt - SEND_MARGIN_MS) return null;
  if (r.source === 'HS_2015') {
    return `HS_2015 records carry consentDate ${IYS_EARLIEST}, and iletiMerkezi refuses a consentDate more than 3 days old: an HS_2015 record cannot be registered through iletiMerkezi`;
  }
  if (nowMs >= r.deadlineAt) return `is more than ${DEADLINE_HOURS} hours ago: past the İYS deadline (iletiMerkezi refuses a consentDate more than 3 days old)`;
  return `is too close to its ${DEADLINE_HOURS}-hour İYS deadline (${formatTurkeyTime(r.deadlineAt)}) to be sent in time: ` +
    `the dispatcher sends nothing within ${duration(SEND_MARGIN_MS)} of it and needs up to ${duration(headroomMs)} after intake`;
}

/** İYS's refusals by date alone, apart from the deadline: a consentDate in the future, or before İYS existed. */
export function calendarIssue(consentMs: number, nowMs: number): string | null {
  if (consentMs > nowMs) return 'is in the future';
  if (consentMs < IYS_EARLIEST_MS) return `is before ${IYS_EARLIEST}`;
  return null;
}

/**
 * What intake refuses of a consentDate (epoch ms) at `nowMs`: İYS's calendar, then the rule above
 * with the headroom the dispatcher needs, so that whatever intake acknowledges can be sent in time.
 */
export function intakeDateIssue(source: SendableRecord['source'], consentMs: number, nowMs: number, headroomMs: number): string | null {
  return calendarIssue(consentMs, nowMs) ?? whyUnsendable({ source, deadlineAt: consentMs + DEADLINE_MS }, nowMs, headroomMs);
}
