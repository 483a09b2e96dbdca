import { describe, expect, it } from 'vitest';
import { isExpired } from '../../server/dispatch/deadline.ts';
import { PASS_HEADROOM_MS, SEND_MARGIN_MS, calendarIssue, intakeDateIssue, intakeHeadroomMs, whyUnsendable } from '../../shared/sendability.ts';
import { DEADLINE_MS, parseTurkeyTime } from '../../shared/turkey-time.ts';

const NOW = parseTurkeyTime('2026-11-26 16:05:09')!;
const HEADROOM = intakeHeadroomMs(1000);
const MIN = 60_000;

describe('the sendability rule', () => {
  it('intake leaves the dispatcher its flush window and a pass (2 min) before the 5-minute send margin', () => {
    expect(SEND_MARGIN_MS).toBe(5 * MIN);
    expect(PASS_HEADROOM_MS).toBe(2 * MIN);
    expect(HEADROOM).toBe(2 * MIN + 1000);
    expect(intakeHeadroomMs(600_000)).toBe(12 * MIN);
  });

  // [consentDate as time before now, refused at intake with the default headroom?]
  const CASES: [string, number, RegExp | null][] = [
    ['an hour ago', 3600_000, null],
    ['72 h − 10 min ago', DEADLINE_MS - 10 * MIN, null],
    ['72 h − 7 min − 1 s − 1 ms ago: the last moment intake takes', DEADLINE_MS - SEND_MARGIN_MS - HEADROOM - 1, null],
    ['72 h − 7 min − 1 s ago', DEADLINE_MS - SEND_MARGIN_MS - HEADROOM, /too close to its 72-hour İYS deadline \(2026-11-26 16:12:10\).*5 min of it.*2 min 1 s/],
    ['72 h − 4 min ago', DEADLINE_MS - 4 * MIN, /too close/],
    ['72 h − 60 s ago', DEADLINE_MS - MIN, /too close/],
    ['exactly 72 h ago', DEADLINE_MS, /more than 72 hours ago: past the İYS deadline/],
    ['a week ago', 7 * 24 * 3600_000, /past the İYS deadline/],
  ];
  it.each(CASES)('a record dated %s', (_name, ago, refused) => {
    const issue = intakeDateIssue('HS_CAGRI_MERKEZI', NOW - ago, NOW, HEADROOM);
    if (refused === null) expect(issue).toBeNull();
    else expect(issue).toMatch(refused);
  });

  it('an HS_2015 record (consentDate 2015-05-01) can never be sent through iletiMerkezi, and says so', () => {
    const ms = parseTurkeyTime('2015-05-01 00:00:00')!;
    expect(intakeDateIssue('HS_2015', ms, NOW, HEADROOM)).toMatch(/HS_2015 .*iletiMerkezi refuses a consentDate more than 3 days old: an HS_2015 record cannot be registered/);
    expect(isExpired({ source: 'HS_2015', deadlineAt: ms + DEADLINE_MS }, NOW)).toBe(true);
  });

  it('refuses what İYS refuses by date alone: the future, before 2015-05-01', () => {
    expect(intakeDateIssue('HS_WEB', NOW + 1000, NOW, HEADROOM)).toBe('is in the future');
    expect(calendarIssue(parseTurkeyTime('2015-04-30 23:59:59')!, NOW)).toBe('is before 2015-05-01 00:00:00');
    expect(calendarIssue(NOW, NOW)).toBeNull();
  });

  it('is the dispatcher\'s expiry check with no headroom: what intake took is still sendable when the headroom has passed', () => {
    for (let ago = DEADLINE_MS - 20 * MIN; ago < DEADLINE_MS + MIN; ago += 1000) {
      const record = { source: 'HS_WEB' as const, deadlineAt: NOW - ago + DEADLINE_MS };
      const takenAtIntake = whyUnsendable(record, NOW, HEADROOM) === null;
      expect(isExpired(record, NOW)).toBe(whyUnsendable(record, NOW, 0) !== null);
      if (takenAtIntake) expect(isExpired(record, NOW + HEADROOM)).toBe(false);
    }
  });
});
